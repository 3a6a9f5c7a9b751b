"""core.rows.StatisticsKeeper: a long import keeps PostgreSQL's planner statistics current."""

import pytest
from django.db import connection

from accounts.models import OrgUnit
from accounts.services import org_unit_create
from core.rows import StatisticsKeeper

pytestmark = pytest.mark.django_db


def test_analyzes_each_time_the_table_has_about_doubled(monkeypatch):
    keeper = StatisticsKeeper(OrgUnit, size=1000, minimum=100)
    keeper.enabled = True  # the rule itself, on any database
    ran = []
    monkeypatch.setattr(keeper, "_analyze", lambda: ran.append(keeper.size + keeper.pending))
    assert not keeper.grew(600)
    assert keeper.grew(400)  # 1,000 new rows on a table of 1,000
    assert not keeper.grew(1999)
    assert keeper.grew(1)  # 2,000 more on 2,000
    assert ran == [2000, 4000]
    small = StatisticsKeeper(OrgUnit, size=0, minimum=100)
    small.enabled = True
    monkeypatch.setattr(small, "_analyze", lambda: ran.append("small"))
    assert not small.grew(99) and small.grew(1)  # never for fewer rows than the minimum


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ANALYZE statistics are PostgreSQL's")
def test_postgresql_statistics_follow_the_growth():
    keeper = StatisticsKeeper(OrgUnit, size=0, minimum=1)
    for i in range(60):
        org_unit_create(name=f"统计单位{i}")
    assert keeper.grew(60)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [OrgUnit._meta.db_table])
        assert cursor.fetchone()[0] >= 60


def test_does_nothing_on_sqlite():
    if connection.vendor == "postgresql":
        pytest.skip("SQLite only")
    assert not StatisticsKeeper(OrgUnit, size=0, minimum=1).grew(10_000)
