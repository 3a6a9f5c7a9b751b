"""Finding 4 of issue 16: one item earns study time at a time per cadre, lesson or case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import cadre
from accounts.roles import Rank
from cases import services
from cases.models import CaseRead
from learning import factories
from learning import services as learning_services
from learning.models import LessonProgress

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def rules(settings):
    settings.LEARNING = {**settings.LEARNING, "ACTIVE_WINDOW_SECONDS": 60, "MAX_SECONDS_PER_BEAT": 30}


@pytest.fixture
def user():
    return cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.TOWNSHIP)


def test_beating_24_cases_every_30_s_earns_at_most_wall_time(user, make_case):
    cases = [make_case() for _ in range(24)]
    start = timezone.now()
    for tick in range(5):  # 0, 30, 60, 90, 120 s
        for n, case in enumerate(cases):
            services.case_read_record(
                user=user, case=case, seconds=30, now=start + timedelta(seconds=30 * tick, milliseconds=n)
            )
    total = sum(CaseRead.objects.filter(user=user).values_list("seconds_visible", flat=True))
    assert total <= 121  # wall time (it was 24 × the wall time)
    assert total >= 90  # the first case still earns its time
    assert CaseRead.objects.filter(user=user, seconds_visible__gt=0).count() == 1


def test_a_paused_case_frees_the_clock_for_another(user, make_case):
    first, second = make_case(), make_case()
    t = timezone.now()
    services.case_read_record(user=user, case=first, seconds=0, now=t)
    services.case_read_record(user=user, case=first, seconds=15, now=t + timedelta(seconds=15), pause=True)
    services.case_read_record(user=user, case=second, seconds=0, now=t + timedelta(seconds=16))
    services.case_read_record(user=user, case=second, seconds=15, now=t + timedelta(seconds=31))
    assert CaseRead.objects.get(user=user, case=first).seconds_visible == 15
    assert CaseRead.objects.get(user=user, case=second).seconds_visible == 15


def test_a_case_and_a_lesson_do_not_both_earn(user, make_case):
    case = make_case()
    lesson = factories.lesson(course=factories.course(), minutes=30)
    t = timezone.now()
    for step in range(0, 121, 15):
        now = t + timedelta(seconds=step)
        factories.enrol(user=user, lesson=lesson)
        learning_services.lesson_heartbeat(user=user, lesson=lesson, now=now)
        services.case_read_record(user=user, case=case, seconds=15, now=now + timedelta(milliseconds=5))
    lesson_time = LessonProgress.objects.get(user=user, lesson=lesson).time_seconds
    case_time = CaseRead.objects.get(user=user, case=case).seconds_visible
    assert lesson_time == 120 and case_time == 0  # the lesson came first and keeps the clock
    # The lesson falls silent: after the window the case takes over, and the lesson then earns nothing.
    later = t + timedelta(seconds=300)
    for step in range(0, 61, 15):
        services.case_read_record(user=user, case=case, seconds=15, now=later + timedelta(seconds=step))
        result = learning_services.lesson_heartbeat(
            user=user, lesson=lesson, now=later + timedelta(seconds=step, milliseconds=5)
        )
        assert result.credited_seconds == 0
    assert CaseRead.objects.get(user=user, case=case).seconds_visible == 60
