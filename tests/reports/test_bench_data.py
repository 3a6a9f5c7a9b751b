"""`manage.py bench_data`, the benchmarks' synthetic province: on PostgreSQL it writes rows in plain SQL
(with server-side parameter binding, as settings configure), elsewhere through the ORM."""

import io

import pytest
from django.core.management import call_command

from accounts.models import CadreProfile
from learning.models import CreditLedger, Enrolment

pytestmark = pytest.mark.django_db


def test_bench_data_makes_cadres_with_assigned_courses_and_credits():
    call_command("bench_data", "--cadres", "30", stdout=io.StringIO())
    assert CadreProfile.objects.filter(user__username__startswith="bench").count() == 30
    enrolments = Enrolment.objects.filter(user__username__startswith="bench", source="assigned")
    assert enrolments.count() == 30 * 20
    completed = enrolments.filter(completed_at__isnull=False)
    assert CreditLedger.objects.filter(enrolment__in=completed).count() == completed.count()


def _schema(tables):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
            [list(tables)],
        )
        constraints = cur.fetchall()
        cur.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) ORDER BY 1", [list(tables)])
        return constraints, cur.fetchall()


def test_bench_data_on_postgresql_restores_every_constraint_and_counts_right():
    from django.db import connection

    from reports import benchdata, counters

    if connection.vendor != "postgresql":
        pytest.skip("the set-based path is PostgreSQL's")
    before = _schema(benchdata.BULK_TABLES)
    call_command("bench_data", "--cadres", "40", stdout=io.StringIO())
    assert _schema(benchdata.BULK_TABLES) == before
    assert counters.check() == []
