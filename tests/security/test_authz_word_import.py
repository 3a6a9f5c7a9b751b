"""Authorisation matrix rows for the Word import (案例库 → 从 Word 导入): only people who may add case
pages or lessons reach it; a preview token is only good in the session that uploaded the file."""

import pytest

from tests.security.authz import DENIED, FORBIDDEN, LOGIN, NOT_FOUND, OK, Row, check_row, expect
from tests.security.test_authz_cases import cases_world

NO_ADMIN = {"anonymous": LOGIN, "cadre": LOGIN, "cadre_other_unit": LOGIN}
CONTENT_STAFF = expect(FORBIDDEN, **NO_ADMIN, editor=OK, reviewer=OK, administrator=OK)

ROWS = [
    Row("GET", "/admin/cases/word-import/", CONTENT_STAFF),
    # An empty form is shown again with its errors to those allowed; nothing is created for anyone.
    Row("POST", "/admin/cases/word-import/", CONTENT_STAFF, data={}),
    # A token nobody in this session uploaded: not found for content staff, refused for the rest.
    Row(
        "GET",
        "/admin/cases/word-import/not-a-token/",
        expect(DENIED, **NO_ADMIN, editor=NOT_FOUND, reviewer=NOT_FOUND, administrator=NOT_FOUND),
    ),
    Row(
        "POST",
        "/admin/cases/word-import/not-a-token/",
        expect(DENIED, **NO_ADMIN, editor=NOT_FOUND, reviewer=NOT_FOUND, administrator=NOT_FOUND),
        data={},
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_word_import_authorisation_matrix(row):
    check_row(row, cases_world())
