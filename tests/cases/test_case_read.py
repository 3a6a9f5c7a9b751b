"""Reading records: beats from a visible tab, capped by the server; unique per user and case; CSRF."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from accounts.factories import cadre
from accounts.roles import Rank
from cases import selectors, services
from cases.models import CaseRead

pytestmark = pytest.mark.django_db

UNIT = "某省/甲市/东山县/交通运输局"


@pytest.fixture
def case(make_case):
    return make_case()


@pytest.fixture
def user():
    return cadre(unit=UNIT, rank=Rank.TOWNSHIP)


def test_first_beat_opens_and_credits_nothing(user, case):
    read = services.case_read_record(user=user, case=case, seconds=30)
    assert read.seconds_visible == 0
    assert read.first_read_at == read.last_read_at


def test_beats_are_capped_by_wall_time_and_per_call(user, case):
    start = timezone.now()
    services.case_read_record(user=user, case=case, seconds=0, now=start)
    # 10 s later the client claims 25 s: only 10 s of wall time passed.
    read = services.case_read_record(user=user, case=case, seconds=25, now=start + timedelta(seconds=10))
    assert read.seconds_visible == 10
    # 5 minutes of silence (longer than the active window): like a lesson, this beat only restarts the clock.
    read = services.case_read_record(user=user, case=case, seconds=3600, now=start + timedelta(minutes=5, seconds=10))
    assert read.seconds_visible == 10
    # 50 s later it claims an hour: at most 30 s per beat.
    read = services.case_read_record(user=user, case=case, seconds=3600, now=start + timedelta(minutes=6))
    assert read.seconds_visible == 10 + services.READ_BEAT_MAX_SECONDS
    # A replayed beat at the same instant adds nothing.
    read = services.case_read_record(user=user, case=case, seconds=15, now=start + timedelta(minutes=6))
    assert read.seconds_visible == 40


def test_one_record_per_user_and_case(user, case):
    for _ in range(3):
        services.case_read_record(user=user, case=case, seconds=15)
    assert CaseRead.objects.filter(user=user, case=case).count() == 1
    from django.db import IntegrityError, transaction

    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseRead.objects.create(user=user, case=case, first_read_at=now, last_read_at=now)


def test_read_after_threshold(user, case, settings):
    settings.CASE_READ_MIN_SECONDS = 60
    start = timezone.now()
    services.case_read_record(user=user, case=case, seconds=0, now=start)
    for n in range(1, 4):
        read = services.case_read_record(user=user, case=case, seconds=15, now=start + timedelta(seconds=15 * n))
    assert read.seconds_visible == 45 and not read.is_read
    read = services.case_read_record(user=user, case=case, seconds=15, now=start + timedelta(seconds=60))
    assert read.is_read
    [archived] = selectors.case_reads_for(user)
    assert archived.case_id == case.pk and archived.is_read


def _post(client, case, seconds, **extra):
    return client.post(
        f"/api/v1/cases/{case.pk}/read", json.dumps({"seconds": seconds}), content_type="application/json", **extra
    )


def test_api_requires_csrf_with_session(user, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert _post(client, case, 0).status_code == 403
    page = client.get(case.url)
    token = page.context["csrf_token"]
    response = _post(client, case, 0, HTTP_X_CSRFTOKEN=str(token))
    assert response.status_code == 200, response.content
    assert response.json() == {"seconds_visible": 0, "is_read": False, "threshold": 60}


def test_api_refuses_anonymous_and_invisible_cases(client, make_case, user):
    from accounts.roles import Rank as R

    case = make_case()
    assert _post(client, case, 0).status_code == 401
    client.force_login(user)
    restricted = make_case(min_rank=R.COUNTY)
    assert _post(client, restricted, 0).status_code == 404
    assert _post(client, case, -5).status_code == 422
    assert not CaseRead.objects.filter(case=restricted).exists()
