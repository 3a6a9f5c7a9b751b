"""The demo case library: enough original cases, spread over every category, idempotent."""

import pytest
from wagtail.models import WorkflowState

from accounts import demo as accounts_demo
from accounts.roles import Rank
from cases import demo
from cases.models import CaseStudyPage, Sector, SupervisionFailure, ViolationType

pytestmark = pytest.mark.django_db


def test_demo_cases_cover_the_taxonomy_and_reload_cleanly():
    accounts_demo.load(password="Demo-pass-2026")
    demo.load(password="Demo-pass-2026")
    demo.load(password="Demo-pass-2026")

    live = CaseStudyPage.objects.live()
    assert live.count() >= 24
    assert CaseStudyPage.objects.count() == live.count() + len(demo.PENDING_IDS)
    pending = WorkflowState.objects.filter(status=WorkflowState.STATUS_IN_PROGRESS)
    assert pending.count() == len(demo.PENDING_IDS)
    assert {state.requested_by.username for state in pending} == {"editor1"}

    assert set(Sector.objects.values_list("name", flat=True)) == set(live.values_list("sector__name", flat=True))
    assert SupervisionFailure.objects.count() == 7
    assert set(SupervisionFailure.objects.values_list("name", flat=True)) == set(
        CaseStudyPage.objects.values_list("supervision_failures__name", flat=True)
    )
    assert set(ViolationType.objects.values_list("name", flat=True)) <= set(
        live.values_list("violation_types__name", flat=True)
    )
    assert live.filter(is_top_leader=True).count() >= 5
    assert live.filter(min_rank=Rank.COUNTY).count() >= 2
    assert live.exclude(hero_image=None).count() >= 4
    assert all(case.is_anonymised for case in CaseStudyPage.objects.all())

    for case in live:
        sections = case.sections
        assert [key for key, _label, _block in sections] == [
            "facts",
            "problems",
            "causes",
            "lessons",
            "countermeasures",
            "rules",
        ]
        for _key, _label, block in sections:
            text = block.value["content"][0].value.source
            assert text.count("。") >= 2, (case.title, _key)
