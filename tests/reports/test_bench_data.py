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
