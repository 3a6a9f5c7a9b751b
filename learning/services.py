"""Writes for learning: assignments, enrolment, heartbeats, completion, 学时 credit, certificates, reflections.

Heartbeat rules (thresholds in ``settings.LEARNING``):

* Only wall time between two accepted beats of the same lesson counts, at most
  ``MAX_SECONDS_PER_BEAT`` per beat. The first beat of an interval (a new lesson, or a gap
  longer than ``ACTIVE_WINDOW_SECONDS``) only starts the clock and earns nothing.
* One item at a time per cadre, lessons and cases alike: the item holding the cadre's study clock
  (``core.study_clock``) keeps it while its beats arrive within the window. A beat for another
  item earns nothing and does not take over ("the first tab keeps the clock"); it takes over once
  the holder has been silent for the window, or at once after its tab sends a pause (it turned hidden).
* Time per lesson is capped (``LessonPage.time_cap_seconds``).
* Video counts by the union of played ranges, clamped to each video's duration; newly
  watched seconds per beat are limited to credited seconds x ``VIDEO_MAX_PLAYBACK_RATE``,
  so ranges invented by a client earn no more than real time allows.
* Every accepted beat moves the clock's ``last_beat_at`` by a conditional UPDATE on the
  value just read, so two simultaneous beats (two tabs, a retry) credit the interval once.
"""

import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts import selectors as account_selectors
from accounts.models import CadreProfile, OrgUnit
from accounts.roles import Rank
from core import access, cache, study_clock
from core.rows import row_get_or_create
from learning import attention
from learning.models import (
    Certificate,
    CourseAssignment,
    CourseKind,
    CoursePage,
    CreditLedger,
    Enrolment,
    EnrolmentSource,
    LessonCase,
    LessonPage,
    LessonProgress,
    Reflection,
    ReflectionStatus,
)
from learning.signals import enrolments_changed

logger = logging.getLogger(__name__)

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _conf(name: str):
    return settings.LEARNING[name]


def local_year(moment: datetime | None = None) -> int:
    return timezone.localtime(moment or timezone.now()).year


# --- assignments and enrolment ---------------------------------------------------------------


def assignment_reach(*, org_units: list[OrgUnit], ranks: list[int] | None = None):
    """Cadre profiles in the given units and all their sub-units, optionally only some ranks."""
    if not org_units:
        return CadreProfile.objects.none()
    q = Q()
    for unit in org_units:
        q |= Q(org_unit__path__startswith=unit.path)
    profiles = CadreProfile.objects.filter(q)
    if ranks:
        profiles = profiles.filter(rank__in=ranks)
    return profiles.select_related("user", "org_unit").order_by("org_unit__path", "employee_no")


@transaction.atomic
def assignment_create(
    *, by, course: CoursePage, org_units: list[OrgUnit], ranks: list[int] | None, year: int, due_date: date
) -> CourseAssignment:
    """A trainer assigns a required course to units within their scope; enrolments follow at once."""
    if not org_units:
        raise ValidationError(_("请至少选择一个单位。"))
    for unit in org_units:
        if not account_selectors.can_view_unit(by, unit):
            raise PermissionDenied(_("单位“%(unit)s”不在您的管理范围内。") % {"unit": unit.full_path})
    if course.kind != CourseKind.REQUIRED:
        raise ValidationError(_("只能指派必修课程；选修课程由学员自主选学。"))
    if not course.live:
        raise ValidationError(_("课程尚未发布，不能指派。"))
    ranks = sorted({int(r) for r in ranks or []})
    if any(r not in Rank.values for r in ranks):
        raise ValidationError(_("职级不正确。"))
    if due_date.year < year:
        raise ValidationError(_("截止日期不能早于指派年度。"))
    assignment = CourseAssignment(course=course, ranks=ranks, year=year, due_date=due_date, created_by=by)
    assignment.full_clean()
    assignment.save()
    assignment.org_units.set(org_units)
    assignment_sync(assignment=assignment)
    return assignment


def _completed_before(*, course_id: int, user_ids) -> dict[int, datetime]:
    return dict(
        Certificate.objects.filter(course_id=course_id, user_id__in=user_ids).values_list("user_id", "issued_at")
    )


@transaction.atomic
def assignment_sync(*, assignment: CourseAssignment) -> int:
    """Give every cadre the assignment reaches an enrolment for its year; idempotent. Returns how many were new.

    A cadre who already completed the course (any year) gets an enrolment that is complete
    from the start: the course is studied and credited once.
    """
    units = list(assignment.org_units.all())
    user_ids = list(assignment_reach(org_units=units, ranks=assignment.ranks).values_list("user_id", flat=True))
    existing = set(
        Enrolment.objects.filter(
            course_id=assignment.course_id, year=assignment.year, user_id__in=user_ids
        ).values_list("user_id", flat=True)
    )
    done = _completed_before(course_id=assignment.course_id, user_ids=user_ids)
    new = [
        Enrolment(
            user_id=uid,
            course_id=assignment.course_id,
            year=assignment.year,
            source=EnrolmentSource.ASSIGNED,
            assignment=assignment,
            due_date=assignment.due_date,
            completed_at=done.get(uid),
        )
        for uid in user_ids
        if uid not in existing
    ]
    Enrolment.objects.bulk_create(new, ignore_conflicts=True, batch_size=500)
    # Self-enrolled earlier: the assignment now sets the deadline.
    Enrolment.objects.filter(
        course_id=assignment.course_id, year=assignment.year, user_id__in=user_ids, assignment__isnull=True
    ).update(assignment=assignment, due_date=assignment.due_date, source=EnrolmentSource.ASSIGNED)
    enrolments_changed.send(sender=Enrolment, user_ids=user_ids)
    cache.bump_global()  # an assignment reaches whole units: one global bump, not one per cadre
    return len(new)


def enrolments_sync_for_cadre(*, profile: CadreProfile) -> int:
    """Enrol one cadre in every current assignment that reaches their unit (after a roster import or a move)."""
    path = profile.org_unit.path
    steplen = OrgUnit.steplen
    ancestors = [path[:i] for i in range(steplen, len(path) + 1, steplen)]
    assignments = (
        CourseAssignment.objects.filter(org_units__path__in=ancestors, year__gte=local_year()).distinct().order_by("pk")
    )
    created = 0
    for assignment in assignments:
        if assignment.ranks and profile.rank not in assignment.ranks:
            continue
        done = _completed_before(course_id=assignment.course_id, user_ids=[profile.user_id])
        _enrolment, was_created = _enrolment_get_or_create(
            user_id=profile.user_id,
            course_id=assignment.course_id,
            year=assignment.year,
            defaults={
                "source": EnrolmentSource.ASSIGNED,
                "assignment": assignment,
                "due_date": assignment.due_date,
                "completed_at": done.get(profile.user_id),
            },
        )
        created += was_created
    return created


def enrolments_sync_for_cadres(*, user_ids, chunk: int = 1000) -> int:
    """`enrolments_sync_for_cadre` for many cadres at once (a roster import's batch): each current
    assignment is asked once per chunk of cadres, the missing enrolments are bulk-inserted, and
    `enrolments_changed` is sent once. Returns how many enrolments were new."""
    ids = sorted({int(i) for i in user_ids})
    if not ids:
        return 0
    created, touched = 0, set()
    for assignment in CourseAssignment.objects.filter(year__gte=local_year()).order_by("pk"):
        reach = assignment_reach(org_units=list(assignment.org_units.all()), ranks=assignment.ranks)
        for start in range(0, len(ids), chunk):
            uids = list(reach.filter(user_id__in=ids[start : start + chunk]).values_list("user_id", flat=True))
            if not uids:
                continue
            existing = set(
                Enrolment.objects.filter(
                    course_id=assignment.course_id, year=assignment.year, user_id__in=uids
                ).values_list("user_id", flat=True)
            )
            missing = [uid for uid in uids if uid not in existing]
            if not missing:
                continue
            done = _completed_before(course_id=assignment.course_id, user_ids=missing)
            made = Enrolment.objects.bulk_create(
                [
                    Enrolment(
                        user_id=uid,
                        course_id=assignment.course_id,
                        year=assignment.year,
                        source=EnrolmentSource.ASSIGNED,
                        assignment=assignment,
                        due_date=assignment.due_date,
                        completed_at=done.get(uid),
                    )
                    for uid in missing
                ],
                ignore_conflicts=True,
                batch_size=chunk,
            )
            created += len(made)
            touched.update(missing)
    if touched:
        enrolments_changed.send(sender=Enrolment, user_ids=sorted(touched))
        cache.bump_users(sorted(touched))
    return created


def assignments_sync_all() -> int:
    """Re-run every current assignment (e.g. after a roster import). Returns new enrolments."""
    return sum(
        assignment_sync(assignment=a) for a in CourseAssignment.objects.filter(year__gte=local_year()).order_by("pk")
    )


def _enrolment_get_or_create(*, user_id: int, course_id: int, year: int, defaults: dict) -> tuple[Enrolment, bool]:
    # get_or_create is race-safe here because of the (user, course, year) unique constraint.
    return Enrolment.objects.get_or_create(user_id=user_id, course_id=course_id, year=year, defaults=defaults)


@transaction.atomic
def enrolment_self_create(*, user, course: CoursePage, request=None) -> Enrolment:
    """A cadre enrols in an elective for this year; a double click returns the same enrolment."""
    if account_selectors.cadre_profile_for(user) is None:
        raise PermissionDenied(_("只有干部学员可以选课。"))
    if not course.live:
        raise ValidationError(_("课程尚未发布。"))
    access.require_page_visible(user=user, page=course, request=request)
    if course.kind != CourseKind.ELECTIVE:
        raise ValidationError(_("必修课程由培训管理员指派，无需自行选课。"))
    done = _completed_before(course_id=course.pk, user_ids=[user.pk])
    enrolment, _created = _enrolment_get_or_create(
        user_id=user.pk,
        course_id=course.pk,
        year=local_year(),
        defaults={"source": EnrolmentSource.SELF, "completed_at": done.get(user.pk)},
    )
    return enrolment


def lesson_case_links_sync(*, lesson: LessonPage) -> None:
    """Record which cases a lesson references (called when a lesson is published)."""
    case_ids = lesson.case_ids
    LessonCase.objects.filter(lesson=lesson).exclude(case_id__in=case_ids).delete()
    course_id = lesson.get_parent().pk
    LessonCase.objects.bulk_create(
        [LessonCase(lesson=lesson, course_id=course_id, case_id=case_id) for case_id in sorted(case_ids)],
        ignore_conflicts=True,
    )


# --- heartbeats ------------------------------------------------------------------------------


def merge_ranges(ranges: list[list[float]]) -> list[list[float]]:
    merged: list[list[float]] = []
    for start, end in sorted((float(s), float(e)) for s, e in ranges if e > s):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def ranges_length(ranges: list[list[float]]) -> float:
    return sum(end - start for start, end in ranges)


def _subtract(segment: tuple[float, float], covered: list[list[float]]) -> list[tuple[float, float]]:
    """Parts of `segment` not in the (merged) `covered` ranges, in order."""
    start, end = segment
    parts = []
    for c_start, c_end in covered:
        if c_end <= start or c_start >= end:
            continue
        if c_start > start:
            parts.append((start, c_start))
        start = max(start, c_end)
        if start >= end:
            break
    if start < end:
        parts.append((start, end))
    return parts


def add_played_ranges(
    *,
    stored: list[list[float]],
    played: list[list[float]],
    duration: float,
    allowance: float,
    seek_ahead: bool | None = None,
) -> list[list[float]]:
    """Union `played` into `stored`, clamped to [0, duration], adding at most `allowance` new seconds.

    Unless seeking ahead is allowed (`seek_ahead`, default ``LEARNING["VIDEO_ALLOW_SEEK_AHEAD"]``),
    a new range counts only where it starts at or before the furthest point watched so far
    (plus ``VIDEO_SEEK_TOLERANCE_SECONDS``), the furthest point moving as it is watched: what a
    client reports beyond a skip earns nothing.
    """
    if seek_ahead is None:
        seek_ahead = settings.LEARNING.get("VIDEO_ALLOW_SEEK_AHEAD", False)
    tolerance = float(settings.LEARNING.get("VIDEO_SEEK_TOLERANCE_SECONDS", 5))
    clamped = merge_ranges([[max(0.0, s), min(float(duration), e)] for s, e in played])
    stored = merge_ranges(stored)
    furthest = max((end for _start, end in stored), default=0.0)
    additions = []
    budget = max(0.0, allowance)
    for segment in clamped:
        for start, end in _subtract((segment[0], segment[1]), stored):
            if budget <= 0:
                break
            if not seek_ahead and start > furthest + tolerance:
                break  # beyond a skip ahead: the rest of this range was not watched in order
            take = min(end - start, budget)
            additions.append([start, start + take])
            furthest = max(furthest, start + take)
            budget -= take
    return merge_ranges(stored + additions)


class NotEnrolled(PermissionDenied):
    """A heartbeat for a lesson of a course the cadre is not enrolled in: nothing is recorded or credited."""


@dataclass
class BeatResult:
    counting: bool
    reason: str
    credited_seconds: int
    progress: LessonProgress
    lesson_completed_now: bool
    course_enrolment: Enrolment | None  # set when the course became complete in this request
    attention: dict | None = None  # a pending attention check's prompt (learning/attention.py)


def _parse_played(videos: dict | None, lesson: LessonPage) -> dict[str, list[list[float]]]:
    result = {}
    for block_id, ranges in (videos or {}).items():
        if block_id not in lesson.videos:
            raise ValidationError(_("视频标识不属于本课时。"))
        if len(ranges) > 500:
            raise ValidationError(_("播放区间过多。"))
        clean = []
        for pair in ranges:
            if len(pair) != 2:
                raise ValidationError(_("播放区间格式应为 [开始, 结束]。"))
            start, end = float(pair[0]), float(pair[1])
            if not (start == start and end == end) or start < 0 or end < start:  # NaN or reversed
                raise ValidationError(_("播放区间不正确。"))
            clean.append([start, end])
        result[block_id] = clean
    return result


@transaction.atomic
def lesson_heartbeat(
    *,
    user,
    lesson: LessonPage,
    videos: dict | None = None,
    position: float | None = None,
    pause: bool = False,
    activity: dict | None = None,
    now: datetime | None = None,
    enrolled: bool | None = None,
) -> BeatResult:
    """Record one heartbeat from a visible lesson tab and complete the lesson (and course) when the evidence suffices.

    `enrolled`: the answer of `selectors.is_enrolled` when the caller read it already (the API reads it with
    the lesson: `selectors.lesson_for_beat`); asked here when None.
    """
    now = now or timezone.now()
    if not lesson.live:
        raise ValidationError(_("课时尚未发布。"))
    access.require_page_visible(user=user, page=lesson)  # page privacy (the API checks passwords too)
    from learning import selectors

    if enrolled is None:
        enrolled = selectors.is_enrolled(user=user, lesson=lesson)
    if not enrolled:
        # Checked before the clock is claimed: an unenrolled tab neither earns time nor takes the clock,
        # and no progress row is written (so the dashboard offers no 继续学习 for it).
        raise NotEnrolled(_("您尚未选学本课程，学习时长不计入学时。"))
    played = _parse_played(videos, lesson)
    # One item at a time per cadre, lessons and cases alike (core.study_clock): the clock says whether this
    # beat may credit the interval since the previous one (at most MAX_SECONDS_PER_BEAT of it).
    clock = study_clock.claim(user=user, page_id=lesson.pk, now=now, pause=pause)
    credited = min(clock.seconds, _conf("MAX_SECONDS_PER_BEAT")) if clock.may_credit else 0
    counting = (clock.may_credit or clock.took) and not pause
    reason = clock.reason

    # Locked: this beat computes the new totals from what it read (no second read after the update).
    progress = row_get_or_create(
        LessonProgress, user=user, lesson=lesson, lock=True, defaults=lambda: {"course_id": lesson.get_parent().pk}
    )
    # 防挂机: an idle page or an unanswered attention check keeps what the clock allowed.
    gate = attention.beat_gate(
        user=user, lesson=lesson, progress=progress, activity=activity, position=position,
        credited=credited, pause=pause, now=now,
    )  # fmt: skip
    credited = gate.credited
    if gate.reason:
        counting, reason = False, gate.reason

    # The dashboard shows which unfinished lesson was studied last and how many lessons are done;
    # a beat on the lesson it already shows, or on a finished lesson read again, changes neither,
    # so the cached dashboard stays valid.
    dashboard_changes = False
    if progress.completed_at is None:
        # The dashboard shows the unfinished lesson seen last among those enrolled, live and visible
        # (selectors.continue_lesson); this lesson is all three. So if it is the unfinished lesson seen last
        # of all, it is the one shown; if not, this beat makes it so (a needless bump when the later one is
        # hidden or not enrolled is harmless). One indexed read, without the privacy and enrolment joins.
        latest = (
            LessonProgress.objects.filter(user=user, completed_at__isnull=True)
            .order_by("-last_seen_at")
            .values_list("pk", flat=True)
            .first()
        )
        dashboard_changes = latest != progress.pk

    updates: dict = {"last_seen_at": now}
    if credited > 0:
        updates["time_seconds"] = min(progress.time_seconds + credited, lesson.time_cap_seconds)
        if played:
            # Only this request may write ranges for this interval: it alone moved the clock.
            allowance = credited * _conf("VIDEO_MAX_PLAYBACK_RATE")
            ranges = dict(progress.video_ranges)
            for block_id, new in played.items():
                before = ranges_length(ranges.get(block_id, []))
                ranges[block_id] = add_played_ranges(
                    stored=ranges.get(block_id, []), played=new, duration=lesson.videos[block_id], allowance=allowance
                )
                allowance -= ranges_length(ranges[block_id]) - before
            updates["video_ranges"] = ranges
            updates["watched_seconds"] = int(sum(ranges_length(r) for r in ranges.values()))
    if position is not None and 0 <= position < 24 * 3600:
        updates["video_position"] = float(position)
    LessonProgress.objects.filter(pk=progress.pk).update(**updates)
    for field, value in updates.items():
        setattr(progress, field, value)

    completed_now = False
    enrolment = None
    if (
        progress.completed_at is None
        and progress.time_seconds >= lesson.required_seconds
        and progress.watched_seconds >= lesson.video_required_seconds
    ):
        completed_now = bool(
            LessonProgress.objects.filter(pk=progress.pk, completed_at__isnull=True).update(completed_at=now)
        )
        if completed_now:
            progress.completed_at = now
            dashboard_changes = True
            enrolment = course_completion_evaluate(
                user=user, course=CoursePage.objects.get(pk=progress.course_id), now=now
            )
    # The lesson page's progress numbers come from the heartbeat's own answer: only the dashboard is cached.
    if dashboard_changes:
        cache.bump(cache.user_key(user.pk))
    return BeatResult(counting, reason, credited, progress, completed_now, enrolment, gate.prompt)


# --- completion, credit, certificate ----------------------------------------------------------


def course_requirements_met(*, user, course: CoursePage) -> bool:
    from learning import selectors

    lesson_ids = list(course.lessons().values_list("pk", flat=True))
    if not lesson_ids:
        return False
    done = LessonProgress.objects.filter(user=user, lesson_id__in=lesson_ids, completed_at__isnull=False).count()
    if done < len(lesson_ids):
        return False
    return selectors.final_quiz_passed(user=user, course=course)


@transaction.atomic
def course_completion_evaluate(*, user, course: CoursePage, now: datetime | None = None) -> Enrolment | None:
    """Complete the course now if the cadre is enrolled and every lesson (and the final quiz) is done.

    Returns the enrolment completed in this call."""
    from learning import selectors

    if (
        not access.page_visible_to(user, course)
        or not selectors.is_enrolled(user=user, course_id=course.pk)
        or not course_requirements_met(user=user, course=course)
    ):
        return None
    return course_complete(user=user, course=course, now=now)


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"MJ-{raw[:4]}-{raw[4:8]}-{raw[8:]}"


@transaction.atomic
def course_complete(*, user, course: CoursePage, now: datetime | None = None) -> Enrolment | None:
    """Mark the cadre's open enrolments complete, credit 学时 once for the local year, issue the certificate.

    Returns the enrolment completed in this call, or None when it was already complete
    (a repeated request changes nothing).
    """
    now = now or timezone.now()
    year = local_year(now)
    access.require_page_visible(user=user, page=course)  # no 学时 or certificate for a course hidden from the cadre
    if Certificate.objects.filter(user=user, course=course).exists():
        return None
    # The open enrolment with the nearest deadline; a cadre who studied without enrolling gets one now.
    enrolment = (
        Enrolment.objects.filter(user=user, course=course, completed_at__isnull=True)
        .order_by(F("due_date").asc(nulls_last=True), "year")
        .first()
    )
    if enrolment is None:
        enrolment, _created = _enrolment_get_or_create(
            user_id=user.pk, course_id=course.pk, year=year, defaults={"source": EnrolmentSource.SELF}
        )
    # The conditional UPDATE is the gate: of two simultaneous completions only one moves a row.
    if not Enrolment.objects.filter(pk=enrolment.pk, completed_at__isnull=True).update(completed_at=now):
        return None
    Enrolment.objects.filter(user=user, course=course, completed_at__isnull=True).update(completed_at=now)
    enrolment.completed_at = now
    hours = course.credit_hours
    CreditLedger.objects.get_or_create(
        user=user, course=course, year=year, defaults={"hours": hours, "enrolment": enrolment}
    )
    for _attempt in range(5):
        try:
            with transaction.atomic():
                Certificate.objects.get_or_create(
                    user=user,
                    course=course,
                    defaults={"enrolment": enrolment, "code": _new_code(), "hours": hours, "issued_at": now},
                )
            break
        except IntegrityError:  # a code collision: draw again
            continue
    enrolments_changed.send(sender=Enrolment, user_ids=[user.pk])
    cache.bump_users([user.pk])  # enrolments completed with update()
    logger.info("course %s completed by user %s (%s 学时, %s)", course.pk, user.pk, hours, year)
    return enrolment


# --- reflections -----------------------------------------------------------------------------


@transaction.atomic
def reflection_submit(*, user, page, body: str, prompt: str = "", request=None) -> Reflection:
    """Write or revise a 心得体会; an accepted one can no longer be changed."""
    access.require_page_visible(user=user, page=page, request=request)
    body = (body or "").strip()
    if len(body) < 20:
        raise ValidationError(_("心得体会至少需要 20 个字。"))
    if len(body) > 5000:
        raise ValidationError(_("心得体会不能超过 5000 字。"))
    now = timezone.now()
    reflection = Reflection.objects.filter(user=user, page=page).first()
    if reflection is None:
        reflection = Reflection(user=user, page=page, prompt=prompt, body=body, submitted_at=now)
        reflection.full_clean()
        try:
            with transaction.atomic():
                reflection.save()
            account_selectors.bump_trainers_of(user_ids=[user.pk])  # one more reflection to review
            return reflection
        except IntegrityError:  # a double click: revise the row the other request wrote
            reflection = Reflection.objects.get(user=user, page=page)
    if reflection.status == ReflectionStatus.ACCEPTED:
        raise ValidationError(_("该心得体会已审阅通过，不能再修改。"))
    updated = (
        Reflection.objects.filter(pk=reflection.pk)
        .exclude(status=ReflectionStatus.ACCEPTED)
        .update(body=body, prompt=prompt or reflection.prompt, status=ReflectionStatus.SUBMITTED, submitted_at=now)
    )
    if not updated:
        raise ValidationError(_("该心得体会已审阅通过，不能再修改。"))
    cache.bump_users([user.pk])  # update() sends no signal; the lesson page shows the reflection
    account_selectors.bump_trainers_of(user_ids=[user.pk])  # their dashboards count reflections to review
    reflection.refresh_from_db()
    return reflection


@transaction.atomic
def reflection_review(*, by, reflection: Reflection, accept: bool, comment: str = "") -> Reflection:
    """A trainer in scope accepts a reflection or returns it with a comment."""
    if (
        by.pk == reflection.user_id
        or not (account_selectors.user_has_role(by, roles.TRAINER) or account_selectors.user_sees_all_units(by))
        or not account_selectors.can_view_cadre(by, reflection.user)
    ):
        raise PermissionDenied(_("您无权审阅该学员的心得体会。"))
    comment = (comment or "").strip()
    if not accept and not comment:
        raise ValidationError(_("退回修改时请填写审阅意见。"))
    status = ReflectionStatus.ACCEPTED if accept else ReflectionStatus.RETURNED
    updated = Reflection.objects.filter(pk=reflection.pk, status=ReflectionStatus.SUBMITTED).update(
        status=status, reviewed_by=by, reviewed_at=timezone.now(), review_comment=comment
    )
    if not updated:
        raise ValidationError(_("该心得体会已被审阅，或正在由学员修改。"))
    from audit.models import Action
    from audit.services import audit_record

    audit_record(
        action=Action.REFLECTION_REVIEW,
        actor=by,
        target=reflection.user,
        detail={"reflection": reflection.pk, "status": str(status)},
    )
    cache.bump_users([reflection.user_id])
    account_selectors.bump_trainers_of(user_ids=[reflection.user_id])
    reflection.refresh_from_db()
    return reflection
