"""防挂机 (learning/attention.py): activity and attention checks gate what a heartbeat earns.

The clock is the project's own: every service takes ``now``; the API tests place a check in the
past through the service and answer it at the real time.
"""

import random
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import roles
from accounts.factories import cadre, staff
from accounts.models import User
from learning import attention, factories, services
from learning.models import AttentionCheck, AttentionOutcome, AttentionRules, LessonProgress

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)
ACTIVE = {"input_age": 2}


class FixedRandom(random.Random):
    """``random()`` returns a set value (0 = a check is due whenever allowed, 0.99 = never)."""

    def __init__(self, value: float):
        super().__init__(7)
        self.value = value

    def random(self):
        return self.value

    def getrandbits(self, k):
        # Defined so that randrange/sample draw from the seeded bits, not from random() (which is fixed).
        return super().getrandbits(k)


@pytest.fixture
def course():
    return factories.course(lessons=2, minutes=20)


@pytest.fixture
def lessons(course):
    return list(course.lessons())


@pytest.fixture
def rules(lessons):
    """The site's rules with activity detection on and checks off; tests switch what they need."""
    rule = attention.rules_for(lessons[0])
    rule.activity_required = True
    rule.quiet_seconds = 180
    rule.checks_enabled = False
    rule.check_mean_seconds = 1200
    rule.check_min_gap_seconds = 600
    rule.answer_seconds = 60
    rule.save()
    return rule


@pytest.fixture
def dice(monkeypatch):
    def set_value(value: float):
        monkeypatch.setattr(attention, "random_source", FixedRandom(value))

    set_value(0.99)
    return set_value


def beat(user, lesson, seconds, activity=ACTIVE, **kwargs):
    factories.enrol(user=user, lesson=lesson)
    return services.lesson_heartbeat(
        user=user, lesson=lesson, now=T0 + timedelta(seconds=seconds), activity=activity, **kwargs
    )


def time_of(user, lesson):
    return LessonProgress.objects.get(user=user, lesson=lesson).time_seconds


def checks_on(rules, **numbers):
    rules.checks_enabled = True
    for name, value in numbers.items():
        setattr(rules, name, value)
    rules.save()


# --- defaults and settings ----------------------------------------------------------------------


def test_a_new_site_takes_its_defaults_from_settings(settings, lessons):
    settings.LEARNING_ATTENTION = {
        "activity_required": True,
        "quiet_seconds": 240,
        "checks_enabled": True,
        "check_mean_seconds": 900,
        "check_min_gap_seconds": 300,
        "answer_seconds": 45,
    }
    AttentionRules.objects.all().delete()
    rule = attention.rules_for(lessons[0])
    assert (rule.quiet_seconds, rule.check_mean_seconds, rule.answer_seconds) == (240, 900, 45)
    assert rule.activity_required and rule.checks_enabled


# --- activity ------------------------------------------------------------------------------------


def test_input_within_the_quiet_period_earns(rules, lessons, dice):
    user = cadre()
    beat(user, lessons[0], 0)
    assert beat(user, lessons[0], 15, {"input_age": 179}).credited_seconds == 15
    assert time_of(user, lessons[0]) == 15


def test_an_idle_visible_tab_stops_earning_after_the_quiet_period(rules, lessons, dice):
    user = cadre()
    beat(user, lessons[0], 0, {"input_age": 0})
    earned = []
    for second in range(15, 301, 15):  # no input after the page loaded
        earned.append(beat(user, lessons[0], second, {"input_age": second}).credited_seconds)
    assert earned[:12] == [15] * 12  # up to 180 s without input
    idle = beat(user, lessons[0], 315, {"input_age": 315})
    assert idle.credited_seconds == 0 and not idle.counting and "未检测到操作" in idle.reason
    assert time_of(user, lessons[0]) == 180
    # Input again: the clock resumes at once.
    assert beat(user, lessons[0], 330, {"input_age": 1}).credited_seconds == 15


def test_a_beat_reporting_no_activity_earns_nothing(rules, lessons, dice):
    user = cadre()
    beat(user, lessons[0], 0, None)
    assert beat(user, lessons[0], 15, None).credited_seconds == 0
    assert beat(user, lessons[0], 30, {}).credited_seconds == 0


def test_rule_off_earns_without_activity(rules, lessons, dice):
    rules.activity_required = False
    rules.save()
    user = cadre()
    beat(user, lessons[0], 0, None)
    assert beat(user, lessons[0], 15, None).credited_seconds == 15


def test_a_playing_video_counts_only_if_its_position_moved_at_normal_speed(rules, lessons, dice):
    user = cadre()
    video = {"input_age": 600, "video": True}
    beat(user, lessons[0], 0, video, position=0)
    assert beat(user, lessons[0], 15, video, position=15).credited_seconds == 15  # 1x, no input for 10 minutes
    # The flag without the position moving (a paused video) is not believed.
    assert beat(user, lessons[0], 30, video, position=15).credited_seconds == 0
    # Nor a position moving much faster than the wall clock (2x playback).
    assert beat(user, lessons[0], 45, video, position=45).credited_seconds == 0
    # Without the flag a moving position is not activity either (a muted or background video).
    assert beat(user, lessons[0], 60, {"input_age": 600}, position=60).credited_seconds == 0
    assert time_of(user, lessons[0]) == 15


# --- attention checks ----------------------------------------------------------------------------


def test_no_check_while_checks_are_off(rules, lessons, dice):
    dice(0.0)
    user = cadre()
    for second in range(0, 300, 15):
        assert beat(user, lessons[0], second).attention is None
    assert not AttentionCheck.objects.exists()


def test_a_due_check_prompts_and_stops_the_clock_until_answered(rules, lessons, dice):
    checks_on(rules)
    user = cadre()
    beat(user, lessons[0], 0)
    dice(0.0)
    issuing = beat(user, lessons[0], 15)
    prompt = issuing.attention
    assert prompt and prompt["number"] in prompt["choices"] and len(set(prompt["choices"])) == 4
    assert prompt["seconds_left"] == 60
    assert issuing.credited_seconds == 15  # the time before the prompt was studied
    check = AttentionCheck.objects.get(user=user, lesson=lessons[0])
    assert check.outcome == AttentionOutcome.PENDING and check.answer == prompt["number"]
    # A page that never answers keeps getting the same prompt and earns nothing.
    for second in (30, 45):
        result = beat(user, lessons[0], second)
        assert result.credited_seconds == 0 and not result.counting
        assert result.attention["nonce"] == prompt["nonce"] and result.attention["seconds_left"] == 75 - second
    assert time_of(user, lessons[0]) == 15
    answer = attention.attention_answer(
        user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=T0 + timedelta(seconds=50)
    )
    # Answered in time: the withheld 30 s come back, and beats earn again.
    assert answer.accepted and answer.outcome == "passed" and answer.credited_seconds == 30
    assert time_of(user, lessons[0]) == 45
    assert beat(user, lessons[0], 60).credited_seconds == 15
    assert time_of(user, lessons[0]) == 60


def test_a_missed_check_stops_the_clock_and_a_late_answer_earns_nothing_for_the_gap(rules, lessons, dice):
    checks_on(rules)
    user = cadre()
    beat(user, lessons[0], 0)
    dice(0.0)
    prompt = beat(user, lessons[0], 15).attention
    dice(0.99)
    for second in range(30, 301, 15):  # the cadre walked away: five minutes of beats
        assert beat(user, lessons[0], second).credited_seconds == 0
    assert time_of(user, lessons[0]) == 15
    late = attention.attention_answer(
        user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=T0 + timedelta(seconds=305)
    )
    assert late.accepted and late.outcome == "late" and late.credited_seconds == 0
    assert time_of(user, lessons[0]) == 15
    # The next beat earns only the time since the answer, not since the last (blocked) beat.
    assert beat(user, lessons[0], 315).credited_seconds == 10
    assert time_of(user, lessons[0]) == 25


def test_the_deadline_bounds_what_an_answer_in_time_can_bring_back(rules, lessons, dice):
    checks_on(rules, answer_seconds=20)
    user = cadre()
    beat(user, lessons[0], 0)
    dice(0.0)
    prompt = beat(user, lessons[0], 15).attention  # deadline at 35
    beat(user, lessons[0], 30)  # 15 s withheld
    beat(user, lessons[0], 45)  # 5 s of this interval before the deadline
    assert AttentionCheck.objects.get().withheld_seconds == 20
    answer = attention.attention_answer(
        user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=T0 + timedelta(seconds=35)
    )
    assert answer.outcome == "passed"


def test_a_wrong_number_forfeits_the_withheld_time(rules, lessons, dice):
    checks_on(rules)
    user = cadre()
    beat(user, lessons[0], 0)
    dice(0.0)
    prompt = beat(user, lessons[0], 15).attention
    beat(user, lessons[0], 30)
    wrong = next(n for n in prompt["choices"] if n != prompt["number"])
    result = attention.attention_answer(
        user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=wrong, now=T0 + timedelta(seconds=32)
    )
    assert not result.accepted and result.prompt["nonce"] == prompt["nonce"]
    assert beat(user, lessons[0], 45).credited_seconds == 0
    right = attention.attention_answer(
        user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=T0 + timedelta(seconds=46)
    )
    assert right.outcome == "late" and right.credited_seconds == 0
    assert time_of(user, lessons[0]) == 15


def test_an_answer_cannot_be_replayed_nor_used_for_another_lesson_or_cadre(rules, lessons, dice):
    checks_on(rules, check_min_gap_seconds=0)
    user, other = cadre(), cadre()
    beat(user, lessons[0], 0)
    dice(0.0)
    prompt = beat(user, lessons[0], 15).attention
    at = T0 + timedelta(seconds=20)
    for who, lesson in ((other, lessons[0]), (user, lessons[1])):
        with pytest.raises(attention.ValidationError):
            attention.attention_answer(user=who, lesson=lesson, nonce=prompt["nonce"], answer=prompt["number"], now=at)
    attention.attention_answer(user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=at)
    with pytest.raises(attention.ValidationError):
        attention.attention_answer(user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=at)
    # A new check gets a new nonce: the old answer does not settle it.
    newer = beat(user, lessons[0], 30).attention
    assert newer["nonce"] != prompt["nonce"]
    with pytest.raises(attention.ValidationError):
        attention.attention_answer(user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=newer["number"], now=at)


def test_never_two_checks_within_the_minimum_gap(rules, lessons, dice):
    checks_on(rules, check_min_gap_seconds=600)
    user = cadre()
    beat(user, lessons[0], 0)
    dice(0.0)  # a check would be due at every beat
    prompt = beat(user, lessons[0], 15).attention
    attention.attention_answer(
        user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=T0 + timedelta(seconds=20)
    )
    # The gap counts per cadre, across lessons.
    issued = [s for s in range(30, 601, 15) if beat(user, lessons[0], s).attention]
    assert issued == []
    assert beat(user, lessons[0], 630).attention is not None
    assert AttentionCheck.objects.filter(user=user).count() == 2


def test_the_minimum_gap_counts_across_lessons(rules, lessons, dice):
    """A check answered in one lesson holds off the next one in another lesson too (the beat reads the
    cadre's latest check with its own lesson's checks, in one query)."""
    checks_on(rules, check_min_gap_seconds=600)
    user = cadre()
    beat(user, lessons[0], 0)
    dice(0.0)
    prompt = beat(user, lessons[0], 15).attention
    attention.attention_answer(
        user=user, lesson=lessons[0], nonce=prompt["nonce"], answer=prompt["number"], now=T0 + timedelta(seconds=20)
    )
    beat(user, lessons[0], 30, pause=True)  # the tab turned hidden: the clock is free for the next lesson
    issued = [s for s in range(45, 601, 15) if beat(user, lessons[1], s).attention]
    assert issued == []
    assert beat(user, lessons[1], 630).attention is not None
    assert AttentionCheck.objects.filter(user=user, lesson=lessons[1]).count() == 1


def test_checks_come_on_average_every_mean_seconds(rules, lessons, monkeypatch):
    checks_on(rules, check_mean_seconds=120, check_min_gap_seconds=0)
    monkeypatch.setattr(attention, "random_source", random.Random(2026))
    user = cadre()
    beat(user, lessons[0], 0)
    seconds, issued = 0, 0
    for step in range(1, 401):  # 100 minutes of 15 s beats, each check answered at once
        seconds = step * 15
        result = beat(user, lessons[0], seconds)
        if result.attention:
            issued += 1
            attention.attention_answer(
                user=user,
                lesson=lessons[0],
                nonce=result.attention["nonce"],
                answer=result.attention["number"],
                now=T0 + timedelta(seconds=seconds),
            )
    # 6,000 s / 120 s = 50 expected (seeded: the same draw every run).
    assert 35 <= issued <= 65


def test_a_pause_beat_never_issues_a_check(rules, lessons, dice):
    checks_on(rules)
    user = cadre()
    beat(user, lessons[0], 0)
    dice(0.0)
    assert beat(user, lessons[0], 15, pause=True).attention is None


def test_the_database_holds_one_pending_check_per_cadre_and_lesson(rules, lessons):
    user = cadre()
    fields = {"user": user, "lesson": lessons[0], "answer": 12, "choices": [12, 34, 56, 78], "issued_at": T0}
    AttentionCheck.objects.create(nonce="a" * 20, deadline=T0 + timedelta(seconds=60), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        AttentionCheck.objects.create(nonce="b" * 20, deadline=T0 + timedelta(seconds=60), **fields)
    with pytest.raises(IntegrityError), transaction.atomic():  # passed after the deadline
        AttentionCheck.objects.create(
            nonce="c" * 20,
            deadline=T0 + timedelta(seconds=60),
            outcome="passed",
            answered_at=T0 + timedelta(seconds=61),
            **{**fields, "lesson": lessons[1]},
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # resolved without an answer
        AttentionCheck.objects.create(
            nonce="d" * 20, deadline=T0 + timedelta(seconds=60), outcome="late", **{**fields, "lesson": lessons[1]}
        )


# --- API -----------------------------------------------------------------------------------------


def api_beat(client, lesson, **body):
    factories.enrol(user=User.objects.get(pk=client.session["_auth_user_id"]), lesson=lesson)
    return client.post(f"/api/v1/lessons/{lesson.pk}/heartbeat", body, content_type="application/json")


def api_answer(client, lesson, nonce, answer):
    return client.post(
        f"/api/v1/lessons/{lesson.pk}/attention", {"nonce": nonce, "answer": answer}, content_type="application/json"
    )


def pending_check(user, lesson, *, ago: int) -> dict:
    """A check issued ``ago`` seconds before now, through the services."""
    now = timezone.now()
    factories.enrol(user=user, lesson=lesson)
    services.lesson_heartbeat(user=user, lesson=lesson, now=now - timedelta(seconds=ago + 15), activity=ACTIVE)
    return services.lesson_heartbeat(
        user=user, lesson=lesson, now=now - timedelta(seconds=ago), activity=ACTIVE
    ).attention


def test_api_heartbeat_carries_the_prompt_and_the_answer_settles_it(client, rules, lessons, dice):
    checks_on(rules)
    user = cadre()
    client.force_login(user)
    dice(0.0)
    prompt = pending_check(user, lessons[0], ago=5)
    body = api_beat(client, lessons[0], activity={"input_age": 1}).json()
    assert body["counting"] is False and body["attention"]["nonce"] == prompt["nonce"]
    assert body["attention"]["answer_url"] == f"/api/v1/lessons/{lessons[0].pk}/attention"
    wrong = next(n for n in prompt["choices"] if n != prompt["number"])
    response = api_answer(client, lessons[0], prompt["nonce"], wrong)
    assert response.status_code == 200 and response.json()["accepted"] is False
    response = api_answer(client, lessons[0], prompt["nonce"], prompt["number"])
    assert response.status_code == 200 and response.json()["outcome"] == "late"
    replay = api_answer(client, lessons[0], prompt["nonce"], prompt["number"])
    assert replay.status_code == 409 and "已经完成" in replay.json()["detail"]


def test_api_answer_in_time_credits_the_withheld_seconds(client, rules, lessons, dice):
    checks_on(rules)
    user = cadre()
    client.force_login(user)
    dice(0.0)
    prompt = pending_check(user, lessons[0], ago=20)
    factories.enrol(user=user, lesson=lessons[0])
    services.lesson_heartbeat(user=user, lesson=lessons[0], now=timezone.now() - timedelta(seconds=5), activity=ACTIVE)
    response = api_answer(client, lessons[0], prompt["nonce"], prompt["number"])
    assert response.status_code == 200
    assert response.json()["outcome"] == "passed" and response.json()["credited_seconds"] == 15
    assert response.json()["time_seconds"] == 30


def test_api_answer_refuses_other_cadres_lessons_and_bad_input(client, rules, lessons, dice):
    checks_on(rules)
    owner = cadre()
    dice(0.0)
    prompt = pending_check(owner, lessons[0], ago=5)
    client.force_login(cadre())
    assert api_answer(client, lessons[0], prompt["nonce"], prompt["number"]).status_code == 404
    client.force_login(owner)
    assert api_answer(client, lessons[1], prompt["nonce"], prompt["number"]).status_code == 404
    assert api_answer(client, lessons[0], "short", prompt["number"]).status_code in (400, 422)
    assert api_answer(client, lessons[0], prompt["nonce"], "abc").status_code in (400, 422)
    assert (
        client.post(
            "/api/v1/lessons/999999/attention", {"nonce": "x" * 10, "answer": 1}, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(staff(roles.EDITOR))
    assert api_answer(client, lessons[0], prompt["nonce"], prompt["number"]).status_code == 403
    client.logout()
    assert api_answer(client, lessons[0], prompt["nonce"], prompt["number"]).status_code == 401
    assert AttentionCheck.objects.get(nonce=prompt["nonce"]).outcome == AttentionOutcome.PENDING


def test_api_answer_needs_csrf(rules, lessons, dice):
    from django.test import Client

    checks_on(rules)
    user = cadre()
    dice(0.0)
    prompt = pending_check(user, lessons[0], ago=5)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert api_answer(strict, lessons[0], prompt["nonce"], prompt["number"]).status_code in (401, 403)
