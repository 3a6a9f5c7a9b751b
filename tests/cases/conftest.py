import pytest

from cases import services
from cases.factories import CaseStudyPageFactory
from cases.models import Countermeasure, Sector, SupervisionFailure, ViolationType


@pytest.fixture
def index(home_page):
    return services.case_index_ensure(parent=home_page, title="警示教育案例库", slug="cases")


@pytest.fixture
def terms():
    """The seeded taxonomy terms by name."""
    return {
        "sector": {t.name: t for t in Sector.objects.all()},
        "violation": {t.name: t for t in ViolationType.objects.all()},
        "failure": {t.name: t for t in SupervisionFailure.objects.all()},
        "measure": {t.name: t for t in Countermeasure.objects.all()},
    }


@pytest.fixture
def make_case(index):
    def make(**kwargs):
        kwargs.setdefault("parent", index)
        return CaseStudyPageFactory(**kwargs)

    return make
