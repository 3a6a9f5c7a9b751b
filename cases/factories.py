"""Factories for case pages and taxonomy terms (tests, benchmarks, other apps' factories)."""

import factory
import wagtail_factories
from factory.django import DjangoModelFactory

from accounts.roles import Rank
from cases.models import CaseIndexPage, CaseStudyPage, Countermeasure, Sector, SupervisionFailure, ViolationType


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"领域{n}")


class ViolationTypeFactory(DjangoModelFactory):
    class Meta:
        model = ViolationType
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"违纪类型{n}")


class SupervisionFailureFactory(DjangoModelFactory):
    class Meta:
        model = SupervisionFailure
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"监督问题{n}")


class CountermeasureFactory(DjangoModelFactory):
    class Meta:
        model = Countermeasure
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"对策{n}")


class CaseIndexPageFactory(wagtail_factories.PageFactory):
    class Meta:
        model = CaseIndexPage

    title = "警示教育案例库"
    slug = factory.Sequence(lambda n: f"cases-{n}")


def _body(title: str) -> list[tuple]:
    return [
        ("section", {"section": "facts", "content": [("paragraph", f"<p>{title}的基本案情。</p>")]}),
        ("section", {"section": "lessons", "content": [("paragraph", "<p>警示启示。</p>")]}),
    ]


class CaseStudyPageFactory(wagtail_factories.PageFactory):
    """A published, anonymised case. Pass `parent=` (a CaseIndexPage) and taxonomy lists as
    `violation_types=[...]` etc.; they are set after creation."""

    class Meta:
        model = CaseStudyPage
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"某县某局原局长某某违纪违法案{n}")
    slug = factory.Sequence(lambda n: f"case-{n}")
    summary = "某某利用职务便利为他人谋取利益，收受财物。"
    year = 2024
    region = "某省某县"
    sector = factory.SubFactory(SectorFactory)
    subject_rank = Rank.TOWNSHIP
    is_top_leader = False
    is_anonymised = True
    live = True
    body = factory.LazyAttribute(lambda o: _body(o.title))

    @factory.post_generation
    def violation_types(self, create, extracted, **kwargs):
        if extracted:
            self.violation_types.set(extracted)
            if create:
                self.save()

    @factory.post_generation
    def supervision_failures(self, create, extracted, **kwargs):
        if extracted:
            self.supervision_failures.set(extracted)
            if create:
                self.save()

    @factory.post_generation
    def countermeasures(self, create, extracted, **kwargs):
        if extracted:
            self.countermeasures.set(extracted)
            if create:
                self.save()
