"""Authorisation matrix rows for the account pages of issue 19: password change, trainer resets and
unlocks, the audit log, second factors."""

import pytest

from tests.security.authz import LOGIN, OK, Row, build_world, check_row, expect

SIGNED_IN = expect(OK, anonymous=LOGIN)

ROWS = [
    # Everyone signed in changes their own password (and nobody else's: the form has no user field).
    Row("GET", "/accounts/password_change/", SIGNED_IN),
    Row("GET", "/accounts/password_change/done/", SIGNED_IN),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.id} {r.data or ''}".rstrip() for r in ROWS])
def test_accounts_authorisation_matrix(row):
    check_row(row, build_world())
