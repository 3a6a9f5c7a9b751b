import pytest

from accounts import roles
from accounts.factories import cadre, staff
from accounts.roles import Rank
from tests.search.corpus import jsonl_lines


@pytest.fixture
def case_index(home_page):
    from cases import services

    return services.case_index_ensure(parent=home_page, title="警示教育案例库", slug="cases")


@pytest.fixture
def corpus(case_index):
    """The test corpus of cases, imported and published through the case import service."""
    from cases import services
    from cases.models import CaseStudyPage

    services.case_import(lines=jsonl_lines(), publish=True, index=case_index)
    return {page.external_id: page for page in CaseStudyPage.objects.all()}


@pytest.fixture
def reader():
    """A township-level cadre: sees every case without a rank restriction."""
    return cadre(rank=Rank.TOWNSHIP)


@pytest.fixture
def editor():
    return staff(roles.EDITOR)


@pytest.fixture
def make_case_with_summary(case_index):
    from cases.factories import CaseStudyPageFactory

    def make(summary: str, **kwargs):
        return CaseStudyPageFactory(parent=case_index, summary=summary, **kwargs)

    return make
