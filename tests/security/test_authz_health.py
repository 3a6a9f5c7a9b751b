"""Matrix rows for the health endpoints: the same answer for everyone, signed in or not, and no data."""

import pytest

from tests.security.authz import OK, Row, check_row, expect
from tests.security.test_authz_cases import cases_world

ROWS = [
    Row("GET", "/healthz", expect(OK)),
    Row("GET", "/readyz", expect(OK)),
]


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_health_authorisation_matrix(row):
    check_row(row, cases_world())
