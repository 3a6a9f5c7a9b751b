import io

import pytest

from accounts import roles
from accounts.factories import cadre, staff
from accounts.roles import Rank
from tests.search.corpus import jsonl_lines


@pytest.fixture
def case_index(home_page):
    from cases import services

    return services.case_index_ensure(parent=home_page, title="警示教育案例库", slug="cases")


@pytest.fixture(scope="module")
def corpus_ids(django_db_setup, django_db_blocker):
    """The test corpus, imported and published once per test module through the case import service.

    Importing 25 cases with revisions takes tens of seconds, so it is committed once for the
    module (each test still runs in its own rolled-back transaction) and deleted afterwards.
    """
    from cases import services
    from cases.models import CaseIndexPage, CaseStudyPage, ViolationType
    from core.models import HomePage

    with django_db_blocker.unblock():
        home = HomePage.objects.get(depth=2)
        existed = CaseIndexPage.objects.child_of(home).exists()
        index = services.case_index_ensure(parent=home, title="警示教育案例库", slug="cases")
        terms_before = set(ViolationType.objects.values_list("pk", flat=True))
        services.case_import(lines=jsonl_lines(), publish=True, index=index)
        ids = dict(CaseStudyPage.objects.filter(external_id__isnull=False).values_list("external_id", "pk"))
    yield ids
    with django_db_blocker.unblock():
        for page in CaseStudyPage.objects.filter(pk__in=ids.values()):
            page.delete()
        if not existed:
            index.delete()
        ViolationType.objects.exclude(pk__in=terms_before).delete()


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """`manage.py load_demo`, once per test module, rolled back after the module.

    Loading the demo takes about a minute, so it runs once inside a transaction that stays open
    for the module; each test's own transaction is a savepoint inside it, and the whole demo is
    rolled back at the end, so other modules never see it. Pages are indexed the way the site
    indexes them (on publish), not by a rebuild. Returns {external_id or slug: page id}.
    """
    from django.core.management import call_command
    from django.db import transaction
    from wagtail.models import Page

    from cases.models import CaseStudyPage

    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            call_command("load_demo", password="Demo-pass-2026", stdout=io.StringIO())
            ids = {page.slug: page.pk for page in Page.objects.filter(depth__gt=3)}
            ids.update(CaseStudyPage.objects.values_list("external_id", "pk"))
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield ids
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture
def corpus(corpus_ids):
    from cases.models import CaseStudyPage

    return {page.external_id: page for page in CaseStudyPage.objects.filter(pk__in=corpus_ids.values())}


@pytest.fixture
def case_index_for_corpus(corpus):
    from cases.models import CaseIndexPage

    return CaseIndexPage.objects.get()


@pytest.fixture
def reader():
    """A township-level cadre: sees every case without a rank restriction."""
    return cadre(rank=Rank.TOWNSHIP)


@pytest.fixture
def editor():
    return staff(roles.EDITOR)


@pytest.fixture
def make_case_with_summary(case_index_for_corpus):
    from cases.factories import CaseStudyPageFactory

    def make(summary: str, **kwargs):
        return CaseStudyPageFactory(parent=case_index_for_corpus, summary=summary, **kwargs)

    return make
