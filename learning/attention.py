"""防挂机: a visible but unattended lesson tab earns nothing.

Two rules gate the seconds a heartbeat would credit (``lesson_heartbeat`` calls ``beat_gate``
after the clock rules of ``_claim_clock``); each is switched and tuned per site in
``AttentionRules`` (Wagtail settings menu), with defaults for new sites in
``settings.LEARNING_ATTENTION``.

Activity. Each beat carries ``activity = {"input_age": s, "video": bool}``: seconds since the
page last saw a key, pointer, wheel, scroll or touch event (the page load counts), and whether a
video is playing unmuted at 1x. A beat earns only when input was seen within ``quiet_seconds`` or
the video really advanced: the server does not take the video flag on trust, it requires the
reported position to have moved since the previous beat by a plausible amount at normal speed
(between 0.5 s and 1.25x the wall time plus 2 s). Input, on the other hand, can only be reported
by the page: a modified client can claim input it never saw. The rule stops a cadre who walks
away from an honest page; it is not a defence against scripts (the clock rules and the attention
checks below, whose answers only the server knows, carry that weight).

Attention checks. When a beat credits time and no check is pending, the server decides at random
whether a check is due: time counted is a Poisson process with mean ``check_mean_seconds``
(probability ``1 - exp(-credited / mean)`` per beat), never within ``check_min_gap_seconds`` of the
cadre's previous check in any lesson. The check (a two-digit number among a few others, a random
nonce) is stored per cadre and lesson, one pending at a time (a partial unique constraint). While
it is pending every beat of that lesson earns nothing and its answer carries the prompt again, so
a page that never asks still gets it. The seconds the clock ran until the deadline are withheld on
the check and credited when the right number arrives in time (``answer_seconds``) with no wrong
try before; a late answer, or one after a wrong number, earns nothing for the gap (the beat after
a late answer is also cut to the time since the answer). Answers name the nonce and are looked up
by the signed-in cadre and the lesson in the URL: an old nonce, another lesson's or another
cadre's matches nothing.
"""

import math
import random
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Subquery
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from core import cache
from core.compiled import compiled
from learning.models import AttentionCheck, AttentionOutcome, AttentionRules, LessonPage, LessonProgress

# Where randomness comes from: a CSPRNG, so neither the moment of a check nor its number can be
# predicted from earlier ones. Tests replace it with a seeded ``random.Random``.
random_source: random.Random = random.SystemRandom()

CHOICES = 4  # buttons on the prompt, the right one among them
VIDEO_RATE_TOLERANCE = 1.25  # "normal speed", with room for timer jitter


@compiled
def _rules(*, site_id):
    return AttentionRules.objects.filter(site_id=site_id)


def rules_for(lesson: LessonPage) -> AttentionRules:
    # The lesson's site id comes from Wagtail's cached site root paths: one query for the rules on
    # every beat, not one for the Site row and another for its settings.
    parts = lesson.get_url_parts()
    site_id = parts[0] if parts else None
    rules = _rules.first(site_id=site_id) if site_id else None
    if rules is not None:
        return rules
    site = (Site.objects.filter(pk=site_id).first() if site_id else None) or Site.objects.filter(
        is_default_site=True
    ).first()
    return AttentionRules.for_site(site)  # creates the site's rules with their defaults


@dataclass
class Gate:
    credited: int
    reason: str
    prompt: dict | None


def _input_recent(activity: dict | None, quiet: int) -> bool:
    age = (activity or {}).get("input_age")
    return age is not None and 0 <= float(age) <= quiet


def _video_advanced(*, activity: dict | None, position: float | None, progress: LessonProgress, elapsed: int) -> bool:
    """The page says a video is playing: believe it only if its position moved as a 1x playback would."""
    if not (activity or {}).get("video") or position is None or elapsed <= 0:
        return False
    moved = float(position) - float(progress.video_position)
    return 0.5 <= moved <= elapsed * VIDEO_RATE_TOLERANCE + 2


def _check_due(*, last: datetime | None, rules: AttentionRules, ran_seconds: int, now: datetime) -> bool:
    """`last`: when the cadre's latest check (in any lesson) was issued."""
    if ran_seconds <= 0:
        return False
    if last is not None and now - last < timedelta(seconds=rules.check_min_gap_seconds):
        return False
    probability = 1 - math.exp(-ran_seconds / max(1, rules.check_mean_seconds))
    return random_source.random() < probability


def _issue(*, user, lesson: LessonPage, rules: AttentionRules, now: datetime) -> AttentionCheck:
    numbers = random_source.sample(range(10, 100), CHOICES)
    answer = numbers[random_source.randrange(CHOICES)]
    try:
        with transaction.atomic():
            return AttentionCheck.objects.create(
                user=user,
                lesson=lesson,
                nonce=secrets.token_urlsafe(18),
                answer=answer,
                choices=numbers,
                issued_at=now,
                deadline=now + timedelta(seconds=rules.answer_seconds),
            )
    except IntegrityError:  # a simultaneous beat issued one first: that one is the pending check
        return AttentionCheck.objects.get(user=user, lesson=lesson, outcome=AttentionOutcome.PENDING)


def prompt_for(check: AttentionCheck, now: datetime) -> dict:
    return {
        "nonce": check.nonce,
        "number": check.answer,
        "choices": list(check.choices),
        "seconds_left": max(0, int((check.deadline - now).total_seconds())),
        "answer_seconds": int((check.deadline - check.issued_at).total_seconds()),
    }


@compiled(datetimes=("since",))
def _checks_for_beat(*, user_id, lesson_id, since):
    """The gate's one read, built once per process (core.compiled)."""
    latest = AttentionCheck.objects.filter(user_id=user_id).order_by("-issued_at", "-pk").values("pk")[:1]
    return (
        AttentionCheck.objects.select_for_update()
        .filter(user_id=user_id)
        .filter(
            Q(lesson_id=lesson_id, outcome=AttentionOutcome.PENDING)
            | Q(lesson_id=lesson_id, outcome=AttentionOutcome.LATE, answered_at__gt=since)
            | Q(pk__in=Subquery(latest))
        )
        .order_by("pk")
    )


def beat_gate(
    *,
    user,
    lesson: LessonPage,
    progress: LessonProgress,
    activity: dict | None,
    position: float | None,
    credited: int,
    pause: bool,
    now: datetime,
) -> Gate:
    """The seconds this beat may keep of ``credited`` (what the clock rules allowed), why not, and a pending prompt."""
    rules = rules_for(lesson)
    active = not rules.activity_required or (
        _input_recent(activity, rules.quiet_seconds)
        or _video_advanced(activity=activity, position=position, progress=progress, elapsed=credited)
    )
    # One read (the steady beat's): this lesson's pending check, locked; any check of it answered late within
    # this interval, whose gap before the answer earns nothing; and the cadre's latest check in any lesson
    # (no new one before check_min_gap_seconds).
    interval_start = now - timedelta(seconds=max(credited, 0))
    checks = list(_checks_for_beat.raw(user_id=user.pk, lesson_id=lesson.pk, since=interval_start))
    mine = [c for c in checks if c.lesson_id == lesson.pk]
    pending = next((c for c in mine if c.outcome == AttentionOutcome.PENDING), None)
    late = max(
        (c.answered_at for c in mine if c.outcome == AttentionOutcome.LATE and c.answered_at > interval_start),
        default=None,
    )
    last_issued = max((c.issued_at for c in checks), default=None)
    if (
        pending is None
        and rules.checks_enabled
        and not pause
        and _check_due(last=last_issued, rules=rules, ran_seconds=credited, now=now)
    ):
        # The interval up to now was studied before the prompt: it keeps its credit (if active).
        pending = _issue(user=user, lesson=lesson, rules=rules, now=now)
        return Gate(credited if active else 0, _("请完成在线确认，确认前不计学习时长。"), prompt_for(pending, now))
    if pending is not None:
        if credited > 0 and active and pending.wrong_answers == 0:
            # Only the part of this interval before the deadline may come back with an answer in time.
            started = now - timedelta(seconds=credited)
            keep = max(0, min(credited, int((pending.deadline - started).total_seconds())))
            if keep:
                AttentionCheck.objects.filter(pk=pending.pk).update(withheld_seconds=F("withheld_seconds") + keep)
        return Gate(0, _("请完成在线确认，确认前不计学习时长。"), prompt_for(pending, now))
    if not active:
        return Gate(0, _("较长时间未检测到操作，已暂停计时；继续学习即恢复。"), None)
    if credited > 0 and late is not None:
        # The beat after a late answer: the gap before the answer earns nothing.
        credited = max(0, min(credited, int((now - late).total_seconds())))
    return Gate(credited, "", None)


@dataclass
class AnswerResult:
    accepted: bool
    outcome: str
    credited_seconds: int
    message: str
    prompt: dict | None


@transaction.atomic
def attention_answer(*, user, lesson: LessonPage, nonce: str, answer: int, now: datetime | None = None) -> AnswerResult:
    """The cadre pressed a number on the prompt of ``nonce`` in ``lesson``."""
    now = now or timezone.now()
    check = AttentionCheck.objects.select_for_update().filter(user=user, lesson=lesson, nonce=nonce).first()
    if check is None:
        raise ValidationError(_("该在线确认不存在或不属于本课时。"), code="not_found")
    if check.outcome != AttentionOutcome.PENDING:
        raise ValidationError(_("该在线确认已经完成，不能重复提交。"), code="answered")
    if answer != check.answer:
        AttentionCheck.objects.filter(pk=check.pk).update(wrong_answers=F("wrong_answers") + 1, withheld_seconds=0)
        check.refresh_from_db()
        return AnswerResult(False, check.outcome, 0, _("数字不对，请点击提示中给出的数字。"), prompt_for(check, now))
    in_time = now <= check.deadline and check.wrong_answers == 0
    credited = check.withheld_seconds if in_time else 0
    AttentionCheck.objects.filter(pk=check.pk).update(
        answered_at=now, outcome=AttentionOutcome.PASSED if in_time else AttentionOutcome.LATE
    )
    if credited:
        LessonProgress.objects.filter(user=user, lesson=lesson).update(
            time_seconds=Least(F("time_seconds") + credited, lesson.time_cap_seconds)
        )
        cache.bump(cache.user_key(user.pk))  # the dashboard shows the lesson time
    message = _("已确认，继续计时。") if in_time else _("已确认。超过确认时限，确认前的时间不计入学时。")
    return AnswerResult(True, AttentionOutcome.PASSED if in_time else AttentionOutcome.LATE, credited, message, None)
