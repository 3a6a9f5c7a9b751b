"""Authorisation matrix rows for warning-education cases: library, case pages, reading records.

Shows how a feature adds rows: extend the world with its objects, then list Rows.
"""

import json

import pytest

from accounts.roles import Rank
from tests.security.authz import LOGIN, NOT_FOUND, OK, REDIRECT, Row, build_world, check_row, expect


def cases_world():
    from cases.factories import CaseIndexPageFactory, CaseStudyPageFactory
    from core.models import HomePage

    world = build_world()
    index = CaseIndexPageFactory(parent=HomePage.objects.get(depth=2), slug="authz-cases")
    open_case = CaseStudyPageFactory(parent=index, slug="open-case", title="公开案例AUTHZ")
    restricted = CaseStudyPageFactory(parent=index, slug="bureau-case", title="厅局级案例AUTHZ", min_rank=Rank.BUREAU)
    draft = CaseStudyPageFactory(parent=index, slug="draft-case", title="草稿案例AUTHZ", live=False)
    world.values.update(
        case_index=index.url,
        open_case=open_case.pk,
        open_case_url=open_case.url,
        restricted_case=restricted.pk,
        restricted_case_url=restricted.url,
        draft_case=draft.pk,
        draft_case_url=draft.url,
    )
    return world


SIGNED_IN_OK = expect(OK, anonymous=LOGIN)
# Test cadres are 乡科级: a case restricted to 厅局级 and above is hidden from them (404, not revealed).
STAFF_ONLY = expect(
    OK,
    anonymous=LOGIN,
    cadre=NOT_FOUND,
    cadre_other_unit=NOT_FOUND,
    trainer_in_scope=NOT_FOUND,
    trainer_out_of_scope=NOT_FOUND,
    # 安全管理员 and 审计管理员 hold no content role (三员分立).
    security_administrator=NOT_FOUND,
    audit_administrator=NOT_FOUND,
)
READ = {"data": json.dumps({"seconds": 5}), "content_type": "application/json"}

ROWS = [
    Row("GET", "/case-library/", expect(REDIRECT, anonymous=LOGIN)),
    Row(
        "GET",
        "{case_index}",
        SIGNED_IN_OK,
        absent={"cadre": ("厅局级案例AUTHZ", "草稿案例AUTHZ"), "trainer_out_of_scope": ("厅局级案例AUTHZ",)},
        present={"cadre": ("公开案例AUTHZ",), "editor": ("公开案例AUTHZ", "厅局级案例AUTHZ")},
    ),
    Row("GET", "{open_case_url}", SIGNED_IN_OK, present={"cadre": ("公开案例AUTHZ",)}),
    Row("GET", "{restricted_case_url}", STAFF_ONLY),
    Row("GET", "{draft_case_url}", expect(NOT_FOUND)),
    Row("POST", "/api/v1/cases/{open_case}/read", SIGNED_IN_OK, **READ),
    Row("POST", "/api/v1/cases/{restricted_case}/read", STAFF_ONLY, **READ),
    Row("POST", "/api/v1/cases/{draft_case}/read", expect(NOT_FOUND, anonymous=LOGIN), **READ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_cases_authorisation_matrix(row):
    check_row(row, cases_world())
