"""Authorisation rows for the background roster import's progress page: only its uploader sees it."""

import pytest

from accounts.models import RosterImportJob
from tests.security.authz import DENIED, LOGIN, OK, Row, build_world, check_row, expect

NO_ADMIN = {"anonymous": LOGIN, "cadre": LOGIN, "cadre_other_unit": LOGIN}

ROWS = [
    Row("GET", "/admin/roster/import/{roster_job}/", expect(DENIED, **NO_ADMIN, trainer_in_scope=OK)),
]


def _world():
    world = build_world()
    job = RosterImportJob.objects.create(
        user=world.users["trainer_in_scope"], filename="甲市花名册.csv", total=10, done=4, status="running"
    )
    world.values["roster_job"] = job.pk
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_imports_authorisation_matrix(row):
    check_row(row, _world())
