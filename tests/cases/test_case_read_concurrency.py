"""Two tabs or retried beats at the same moment: one record, credited once."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.factories import cadre
from cases import services
from cases.models import CaseRead

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _run_parallel(fn, n):
    def wrapped(_):
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=n) as pool:
        return list(pool.map(wrapped, range(n)))


def test_parallel_beats_create_one_record_and_credit_once(make_case):
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory"):
        pytest.skip("needs a file database")
    case = make_case()
    user = cadre()
    opened = timezone.now()
    _run_parallel(lambda: services.case_read_record(user=user, case=case, seconds=0, now=opened), 6)
    assert CaseRead.objects.filter(user=user, case=case).count() == 1

    beat = opened + timedelta(seconds=20)
    _run_parallel(lambda: services.case_read_record(user=user, case=case, seconds=15, now=beat), 6)
    read = CaseRead.objects.get(user=user, case=case)
    assert read.seconds_visible == 15
    assert read.last_read_at == beat
