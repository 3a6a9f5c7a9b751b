"""Authorisation matrix rows for the screens of issue 21: GET /api/v1/me/courses answers only the caller's own
courses (with the same status as the dashboard)."""

import pytest

from tests.security.authz import LOGIN, OK, Row, check_row, expect
from tests.security.learning_world import learning_world

NOT_MINE = {
    "cadre": ("{other_name}",),
    "cadre_other_unit": ("{cadre_name}",),
}

ROWS = [
    Row(
        "GET",
        "/api/v1/me/courses",
        expect(OK, anonymous=LOGIN),
        absent=NOT_MINE,
        present={"cadre": ("指派课程AUTHZ",)},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_ui_authorisation_matrix(row):
    check_row(row, learning_world())
