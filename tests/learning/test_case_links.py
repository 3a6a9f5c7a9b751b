"""Lessons that reference cases: the case block, the case_used_in_courses hook, case reflections, cases in the archive."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail import hooks

from accounts.factories import cadre, trainer
from accounts.roles import Rank
from cases.factories import CaseIndexPageFactory, CaseStudyPageFactory
from cases.services import case_read_record
from core.models import HomePage
from learning import factories, selectors, services
from learning.models import LessonCase, Reflection

pytestmark = pytest.mark.django_db

TEXT = "研读本案后，我认识到分管权力过于集中、班子成员不敢提意见，是监督失灵的根源，我将带头执行末位表态。"


@pytest.fixture
def case_index():
    return CaseIndexPageFactory(parent=HomePage.objects.get(depth=2))


@pytest.fixture
def case(case_index):
    return CaseStudyPageFactory(parent=case_index, title="某县交通运输局原局长某某受贿案")


def hook_results(case, user):
    request = RequestFactory().get(case.url)
    request.user = user
    return [item for fn in hooks.get_hooks("case_used_in_courses") for item in fn(request, case)]


def test_case_page_lists_the_lessons_that_use_it(case):
    course = factories.course(title="权力观课程")
    lesson = factories.lesson(course=course, title="四个不直接分管", case=case)
    factories.lesson(course=course, title="未引用案例")
    reader = cadre()
    hook_results(case, reader)  # site root paths are cached after the first call
    with CaptureQueriesContext(connection) as ctx:
        results = hook_results(case, reader)
    assert results == [{"title": "权力观课程 · 四个不直接分管", "url": lesson.url}]
    assert len(ctx) <= 3  # the links, the site root paths for this new request, the privacy settings (core.access)


def test_unpublished_lessons_are_not_listed(case):
    lesson = factories.lesson(course=factories.course(), case=case)
    lesson.unpublish()
    assert hook_results(case, cadre()) == []


def test_links_follow_the_published_body(case, case_index):
    other = CaseStudyPageFactory(parent=case_index)
    lesson = factories.lesson(course=factories.course(), case=case)
    lesson.body = [("case", {"case": other, "note": ""})]
    lesson.save_revision().publish()  # the page_published receiver re-syncs the links
    assert list(LessonCase.objects.values_list("case_id", flat=True)) == [other.pk]


def test_case_block_hides_a_case_the_cadre_may_not_read(client, case_index):
    restricted = CaseStudyPageFactory(parent=case_index, title="仅限县处级以上的案例", min_rank=Rank.COUNTY)
    lesson = factories.lesson(course=factories.course(), case=restricted)
    client.force_login(cadre(rank=Rank.OTHER))
    html = client.get(lesson.url).content.decode()
    assert "仅限县处级以上的案例" not in html and "暂不对您开放" in html
    client.force_login(cadre(rank=Rank.COUNTY))
    assert "仅限县处级以上的案例" in client.get(lesson.url).content.decode()


def test_case_reflection_is_written_and_reviewed_in_scope(client, case):
    writer = cadre(unit="某省/甲市/东山县/交通运输局")
    client.force_login(writer)
    url = reverse("learning:case_reflection", args=[case.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"body": TEXT}).status_code == 302
    reflection = Reflection.objects.get(user=writer, page_id=case.pk)
    with pytest.raises(Exception):  # noqa: B017, PT011 - PermissionDenied outside scope
        services.reflection_review(by=trainer("某省/乙市"), reflection=reflection, accept=True)
    services.reflection_review(by=trainer("某省/甲市"), reflection=reflection, accept=True)
    assert case.title in client.get(reverse("learning:archive")).content.decode()


def test_case_reflection_needs_a_visible_case(client, case_index):
    restricted = CaseStudyPageFactory(parent=case_index, min_rank=Rank.BUREAU)
    client.force_login(cadre(rank=Rank.TOWNSHIP))
    assert client.get(reverse("learning:case_reflection", args=[restricted.pk])).status_code == 404
    assert not Reflection.objects.exists()


def test_archive_lists_cases_read(case):
    reader = cadre()
    start = timezone.now() - timedelta(minutes=10)
    case_read_record(user=reader, case=case, seconds=0, now=start)
    for n in range(1, 8):
        case_read_record(user=reader, case=case, seconds=15, now=start + timedelta(seconds=15 * n))
    titles = [c["title"] for c in selectors.archive_for(user=reader).cases_read]
    assert titles == [case.title]
    assert selectors.archive_for(user=cadre()).cases_read == []
