"""Reads for learning. Dashboard and lesson reads cost a fixed number of queries whatever the data size."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from accounts import roles
from accounts import selectors as account_selectors
from core import access, cache
from core.compiled import compiled
from core.formats import format_percent
from core.page_forms import block_has_content
from learning.models import (
    Certificate,
    CourseAssignment,
    CourseKind,
    CoursePage,
    CreditLedger,
    Enrolment,
    LessonCase,
    LessonPage,
    LessonProgress,
    Reflection,
    ReflectionStatus,
)


def models_nulls_last(name: str):
    return F(name).asc(nulls_last=True)


def course_list(*, user, request=None, topic_id: str | None = None) -> QuerySet[CoursePage]:
    """Live courses the user may open under the pages' privacy settings (core.access)."""
    courses = access.visible_pages(
        CoursePage.objects.live().select_related("topic", "cover_image").order_by("path"),
        user,
        request=request,
        passed_passwords=None,  # a password-protected course is listed; opening it asks for the password
    )
    if topic_id and str(topic_id).isdigit():
        courses = courses.filter(topic_id=int(topic_id))
    return courses


def is_enrolled(*, user, course_id: int | None = None, lesson: LessonPage | None = None) -> bool:
    """The one rule for "may this cadre's study be credited": an enrolment (assigned or self-chosen, any year) in the
    course, given by id or by one of its lessons. Heartbeats, completion, the lesson page and the dashboard's
    继续学习 all ask this; one query."""
    if not user.is_authenticated:
        return False
    enrolments = Enrolment.objects.filter(user=user)
    if course_id is not None:
        return enrolments.filter(course_id=course_id).exists()
    assert lesson is not None  # noqa: S101 - a programming error
    return enrolments.filter(course__path=lesson.path[: -LessonPage.steplen]).exists()


def _enrolled_in_lessons_course(user_id) -> Exists:
    """`is_enrolled(lesson=...)` as an expression over LessonPage rows (the course is the lesson's parent)."""
    from django.db.models.functions import Length, Substr

    parent_path = Substr(OuterRef("path"), 1, Length(OuterRef("path")) - LessonPage.steplen)
    return Exists(Enrolment.objects.filter(user_id=user_id, course__path=parent_path))


@compiled
def _lesson_for_beat(*, lesson_id, user_id):
    from accounts.models import CadreProfile

    return (
        LessonPage.objects.live()
        .filter(pk=lesson_id)
        .annotate(
            beat_enrolled=_enrolled_in_lessons_course(user_id),
            beat_cadre=Exists(CadreProfile.objects.filter(user_id=user_id)),
        )
    )


def lesson_for_beat(*, user, lesson_id: int) -> LessonPage | None:
    """The live lesson a heartbeat is for, with two answers read in the same query: `beat_enrolled`
    (the rule of `is_enrolled`) and `beat_cadre` (the user has a cadre record: only cadres' study counts).
    One query, built once per process (core.compiled), where the heartbeat, the dominant request, used three."""
    if not user.is_authenticated:
        return None
    lesson = _lesson_for_beat.first(lesson_id=lesson_id, user_id=user.pk)
    if lesson is not None:  # booleans on every database (SQLite answers 0 or 1)
        lesson.beat_enrolled, lesson.beat_cadre = bool(lesson.beat_enrolled), bool(lesson.beat_cadre)
    return lesson


def final_quiz_passed(*, user, course: CoursePage) -> bool:
    """True when the course has no final quiz, or the cadre's quiz grade reaches its pass mark."""
    if course.final_quiz_id is None:
        return True
    from quizzes.selectors import quiz_passed_by_user

    return quiz_passed_by_user(user, course.final_quiz)


def credit_hours_for_year(*, user, year: int) -> Decimal:
    if not user.is_authenticated:
        return Decimal("0")
    total = CreditLedger.objects.filter(user=user, year=year).aggregate(total=Sum("hours"))["total"]
    return total or Decimal("0")


def _lessons_by_course(course_ids: list[int]) -> dict[int, list[LessonPage]]:
    """Live lessons of the given courses, in order, in one query (lessons are the courses' children)."""
    if not course_ids:
        return {}
    courses = dict(CoursePage.objects.filter(pk__in=course_ids).values_list("path", "pk"))
    result: dict[int, list] = defaultdict(list)
    if not courses:
        return result
    depth = len(next(iter(courses))) // LessonPage.steplen + 1
    q = Q()
    for path in courses:
        q |= Q(path__startswith=path)
    for lesson in (
        LessonPage.objects.live()
        .filter(q, depth=depth)
        .order_by("path")
        .only("pk", "path", "title", "url_path", "slug", "estimated_minutes", "depth")
    ):
        result[courses[lesson.path[: -LessonPage.steplen]]].append(lesson)
    return result


# --- one status per enrolment: the trainer's pages, the cadre's dashboard, exports and the API ------

STATUS_NOT_STARTED = "not_started"
STATUS_IN_PROGRESS = "in_progress"
STATUS_COMPLETED = "completed"
STATUS_OVERDUE = "overdue"
STATUS_LABELS = {
    STATUS_NOT_STARTED: _("未开始"),
    STATUS_IN_PROGRESS: _("学习中"),
    STATUS_COMPLETED: _("已完成"),
    STATUS_OVERDUE: _("逾期"),
}


def enrolment_status(*, completed_at, due_date, started: bool, today) -> str:
    """The one rule: 已完成 once completed; else 逾期 past the deadline; else 学习中 once the cadre has
    opened one of its lessons (``started``); else 未开始. Every screen, export and API answer calls this."""
    if completed_at is not None:
        return STATUS_COMPLETED
    if due_date is not None and due_date < today:
        return STATUS_OVERDUE
    return STATUS_IN_PROGRESS if started else STATUS_NOT_STARTED


def status_label(status: str) -> str:
    return str(STATUS_LABELS[status])


def started_pairs(*, user_ids, course_ids=None) -> set[tuple[int, int]]:
    """(user_id, course_id) pairs where the cadre has opened a lesson (a progress row exists): one query.

    A progress row is created by the first heartbeat of a visible lesson tab; its save bumps the
    cadre's cache stamp, so cached dashboards follow."""
    qs = LessonProgress.objects.filter(user_id__in=list(user_ids))
    if course_ids is not None:
        qs = qs.filter(course_id__in=list(course_ids))
    return set(qs.values_list("user_id", "course_id").distinct())


def enrolment_statuses(enrolments, *, today=None) -> dict[int, str]:
    """Status of each enrolment (by pk), with one query for the lesson time behind them."""
    enrolments = list(enrolments)
    today = today or timezone.localdate()
    started = (
        started_pairs(user_ids={e.user_id for e in enrolments}, course_ids={e.course_id for e in enrolments})
        if enrolments
        else set()
    )
    return {
        e.pk: enrolment_status(
            completed_at=e.completed_at, due_date=e.due_date, started=(e.user_id, e.course_id) in started, today=today
        )
        for e in enrolments
    }


@dataclass
class CourseProgress:
    enrolment: Enrolment
    lessons_total: int
    lessons_done: int
    overdue: bool
    status: str = STATUS_NOT_STARTED
    percent: int = field(init=False)

    def __post_init__(self):
        self.percent = round(self.lessons_done / self.lessons_total * 100) if self.lessons_total else 0

    @property
    def status_label(self) -> str:
        return status_label(self.status)


def dashboard_courses(*, user) -> list[CourseProgress]:
    """This year's enrolments and any earlier ones still open, with lesson progress: three queries."""
    today = timezone.localdate()
    enrolments = Enrolment.objects.filter(
        Q(year=today.year) | Q(completed_at__isnull=True), user=user, course__live=True
    )
    hidden = access.restricted_pages_q(user, passed_passwords=None)  # courses the privacy settings hide
    if hidden is not None:
        enrolments = enrolments.exclude(course__in=CoursePage.objects.filter(hidden))
    enrolments = list(enrolments.select_related("course").order_by(models_nulls_last("due_date"), "course__path"))
    course_ids = [e.course_id for e in enrolments]
    lessons = _lessons_by_course(course_ids)
    live_ids = [lesson.pk for group in lessons.values() for lesson in group]
    done = (
        dict(
            LessonProgress.objects.filter(user=user, lesson_id__in=live_ids, completed_at__isnull=False)
            .values("course_id")
            .annotate(n=Count("pk"))
            .values_list("course_id", "n")
        )
        if live_ids
        else {}
    )
    statuses = enrolment_statuses(enrolments, today=today)
    return [
        CourseProgress(
            enrolment=e,
            lessons_total=len(lessons.get(e.course_id, [])),
            lessons_done=done.get(e.course_id, 0),
            overdue=statuses[e.pk] == STATUS_OVERDUE,
            status=statuses[e.pk],
        )
        for e in enrolments
    ]


# --- 课程中心 catalogue ---------------------------------------------------------------------------

STATUS_NOT_ENROLLED = "not_enrolled"
CATALOGUE_STATUS_LABELS = {**STATUS_LABELS, STATUS_NOT_ENROLLED: _("未选课")}


@dataclass
class CatalogueRow:
    course: CoursePage
    status: str  # an enrolment status (enrolment_status), or not_enrolled
    lessons_total: int = 0
    lessons_done: int = 0
    percent: int = 0

    @property
    def status_label(self) -> str:
        return str(CATALOGUE_STATUS_LABELS[self.status])


def course_catalogue(
    *, user, request=None, topic_id: str | None = None, status: str | None = None, q: str | None = None
) -> list[CatalogueRow]:
    """课程中心: the courses the user may open, each with the cadre's own status and lesson progress (the same
    rule as the dashboard), filtered by topic, status and words of the title or introduction (every word must
    appear; Chinese matches as substrings, so 监督 finds 主动接受监督). A fixed number of queries."""
    courses = course_list(user=user, request=request, topic_id=topic_id)
    for word in (q or "").split()[:10]:
        courses = courses.filter(Q(title__icontains=word) | Q(introduction__icontains=word))
    mine = {row.enrolment.course_id: row for row in dashboard_courses(user=user)} if user.is_authenticated else {}
    done_ever = (
        set(Certificate.objects.filter(user=user).values_list("course_id", flat=True))
        if user.is_authenticated
        else set()
    )
    rows = []
    for course in courses:
        row = mine.get(course.pk)
        if row is not None:
            rows.append(CatalogueRow(course, row.status, row.lessons_total, row.lessons_done, row.percent))
        elif course.pk in done_ever:  # completed in an earlier year
            rows.append(CatalogueRow(course, STATUS_COMPLETED, percent=100))
        else:
            rows.append(CatalogueRow(course, STATUS_NOT_ENROLLED))
    if status in CATALOGUE_STATUS_LABELS:
        rows = [row for row in rows if row.status == status]
    return rows


def continue_lesson(*, user) -> LessonProgress | None:
    """The unfinished lesson the cadre studied last, in a course they are enrolled in."""
    progress = LessonProgress.objects.filter(
        Exists(Enrolment.objects.filter(user=user, course_id=OuterRef("course_id"))),
        user=user,
        completed_at__isnull=True,
        lesson__live=True,
    )
    hidden = access.restricted_pages_q(user, passed_passwords=None)
    if hidden is not None:
        progress = progress.exclude(lesson__in=LessonPage.objects.filter(hidden))
    return progress.select_related("lesson").order_by("-last_seen_at").first()


def course_page_state(*, user, course: CoursePage) -> dict:
    lessons = list(course.lessons())
    state = {"lessons": lessons, "enrolment": None, "certificate": None, "can_enrol": False, "progress": {}}
    if not user.is_authenticated:
        return state
    progress = {p.lesson_id: p for p in LessonProgress.objects.filter(user=user, lesson__in=lessons)}
    enrolment = (
        Enrolment.objects.filter(user=user, course=course).order_by(models_nulls_last("completed_at"), "-year").first()
    )
    certificate = Certificate.objects.filter(user=user, course=course).first()
    state.update(
        enrolment=enrolment,
        certificate=certificate,
        progress=progress,
        lesson_rows=[(lesson, progress.get(lesson.pk)) for lesson in lessons],
        lessons_done=sum(1 for p in progress.values() if p.completed_at),
        quiz_passed=course.final_quiz_id is not None and final_quiz_passed(user=user, course=course),
        can_enrol=(
            course.kind == CourseKind.ELECTIVE
            and enrolment is None
            and account_selectors.cadre_profile_for(user) is not None
        ),
    )
    return state


def cadre_profile_cached(request):
    """The signed-in cadre's profile, looked up once per request (panel and navigation both ask)."""
    if not hasattr(request, "_learning_profile"):
        user = request.user
        # cases.selectors.user_rank may have read it already for this request's user object
        if hasattr(user, "_case_profile_cache"):
            request._learning_profile = user._case_profile_cache
        else:
            request._learning_profile = account_selectors.cadre_profile_for(user)
    return request._learning_profile


def _lesson_outline(lesson: LessonPage) -> tuple[CoursePage, list[LessonPage]]:
    course = CoursePage.objects.get(path=lesson.path[: -LessonPage.steplen])
    siblings = list(
        LessonPage.objects.live().sibling_of(lesson).order_by("path").only("pk", "title", "url_path", "path")
    )
    return course, siblings


def lesson_outline(*, lesson: LessonPage, request=None) -> tuple[CoursePage, list[LessonPage]]:
    """The lesson's course and its live lessons in order; on pages cached under the global stamp,
    which every page write bumps."""
    if request is None:
        return _lesson_outline(lesson)
    global_stamp = cache.request_global_stamp(request)
    return cache.data(("lesson-outline", lesson.pk, global_stamp), lambda: _lesson_outline(lesson))


def lesson_page_state(*, user, lesson: LessonPage, request=None) -> dict:
    """What a lesson page shows. The study progress that heartbeats advance (study and watched time, video
    position, 已学完) is not rendered: the page's script sends a heartbeat on load and shows its answer."""
    course, siblings = lesson_outline(lesson=lesson, request=request)
    index = next((i for i, s in enumerate(siblings) if s.pk == lesson.pk), 0)
    state = {
        "course": course,
        "siblings": siblings,
        "lesson_number": index + 1,
        "previous_lesson": siblings[index - 1] if index > 0 else None,
        "next_lesson": siblings[index + 1] if index + 1 < len(siblings) else None,
        "heartbeat_interval": settings.LEARNING["HEARTBEAT_INTERVAL_SECONDS"],
        "required_seconds": lesson.required_seconds,
        "video_required_seconds": lesson.video_required_seconds,
        "reflection": None,
        "certificate": None,
    }
    state.update(is_cadre=False, enrolled=False, can_enrol=False)
    if user.is_authenticated:

        def mine() -> tuple:
            return (
                Reflection.objects.filter(user=user, page_id=lesson.pk).first(),
                Certificate.objects.filter(user=user, course_id=course.pk).first(),
            )

        # Both are saved through the ORM, which bumps the user's generation (learning/signals.py): a review
        # or a new certificate shows at once.
        reflection, certificate = (
            mine() if request is None else cache.data(("lesson-mine", lesson.pk, cache.request_stamp(request)), mine)
        )
        state["reflection"], state["certificate"] = reflection, certificate
        profile = cadre_profile_cached(request) if request is not None else account_selectors.cadre_profile_for(user)
        if profile is not None:
            # A cadre studies a lesson (the page beats) only once enrolled; otherwise the page offers the
            # enrolment (electives) or says the course is not assigned (required courses).
            enrolled = is_enrolled(user=user, course_id=course.pk)
            state.update(
                is_cadre=True, enrolled=enrolled, can_enrol=not enrolled and course.kind == CourseKind.ELECTIVE
            )
    return state


def lesson_body_html(*, lesson: LessonPage, request) -> str:
    """The lesson's rendered StreamField, cached per published revision of the lesson and the media generation
    (images, documents); when it references cases, also per global generation (a case's title or privacy) and
    case visibility of the user (the case block hides cases the user may not open). Never cached for a preview
    or a page without a published revision."""
    from cases.selectors import case_visibility_key
    from learning.blocks import video_rules

    rules = video_rules()  # the player's rules and note follow the settings

    def render() -> str:
        return render_to_string("learning/includes/lesson_body.html", {"page": lesson}, request=request)

    if getattr(request, "is_preview", False) or not (lesson.live and lesson.live_revision_id):
        return mark_safe(render())  # noqa: S308 - rendered by our own block templates
    parts = [
        "lesson-body",
        lesson.pk,
        lesson.live_revision_id,
        cache.request_media_stamp(request),
        get_language(),
        *rules.values(),
    ]
    if lesson.has_case_blocks:
        parts += [cache.request_global_stamp(request), case_visibility_key(request.user)]
    return mark_safe(cache.fragment(parts, render))  # noqa: S308 - rendered by our own block templates


def lessons_using_case(*, case, request=None) -> list[dict]:
    links = LessonCase.objects.filter(case_id=case.pk, lesson__live=True, course__live=True)
    if request is not None:
        hidden = access.restricted_pages_q(request.user, request=request)
        if hidden is not None:
            links = links.exclude(lesson__in=LessonPage.objects.filter(hidden))
    links = links.select_related("lesson", "course").order_by("course__path", "lesson__path")
    return [
        {"title": f"{link.course.title} · {link.lesson.title}", "url": link.lesson.get_url(request)} for link in links
    ]


def certificate_by_code(code: str) -> Certificate | None:
    return Certificate.objects.select_related("user", "course").filter(code=code.strip().upper()).first()


@dataclass
class Archive:
    user: object
    profile: object
    completed: list
    hours_by_year: list
    reflections: list
    cases_read: list
    quiz_results: list


def archive_for(*, user) -> Archive:
    """学习档案: completed courses with certificates, 学时 by year, accepted reflections."""
    completed = list(Certificate.objects.filter(user=user).select_related("course", "enrolment").order_by("-issued_at"))
    hours = list(
        CreditLedger.objects.filter(user=user)
        .values("year")
        .annotate(hours=Sum("hours"), courses=Count("pk"))
        .order_by("-year")
    )
    reflections = list(
        Reflection.objects.filter(user=user, status=ReflectionStatus.ACCEPTED)
        .select_related("page", "reviewed_by")
        .order_by("-submitted_at")
    )
    return Archive(
        user=user,
        profile=account_selectors.cadre_profile_for(user),
        completed=completed,
        hours_by_year=hours,
        reflections=reflections,
        cases_read=_cases_read(user),
        quiz_results=_quiz_results(user),
    )


def _cases_read(user) -> list[dict]:
    from cases.models import read_threshold_seconds
    from cases.selectors import case_reads_for

    reads = case_reads_for(user).filter(seconds_visible__gte=read_threshold_seconds())
    return [
        {
            "title": read.case.title,
            "url": read.case.url,
            "date": timezone.localtime(read.last_read_at).strftime("%Y-%m-%d"),
            "minutes": max(1, round(read.seconds_visible / 60)),
        }
        for read in reads
    ]


def _quiz_results(user) -> list[dict]:
    """The cadre's grade per quiz (by the quiz's grading method) from finished attempts."""
    from quizzes.models import Attempt, AttemptState
    from quizzes.selectors import grade_from_attempts

    by_quiz: dict[int, list] = defaultdict(list)
    for attempt in (
        Attempt.objects.filter(user=user, state=AttemptState.FINISHED)
        .select_related("quiz")
        .order_by("quiz_id", "number")
    ):
        by_quiz[attempt.quiz_id].append(attempt)
    rows = []
    for attempts in by_quiz.values():
        quiz = attempts[0].quiz
        grade = grade_from_attempts(quiz.grading_method, attempts)
        if grade is None:
            continue
        passed = grade >= quiz.pass_percent
        last = max(a.finished_at for a in attempts)
        rows.append(
            {
                "title": quiz.title,
                "score": format_percent(grade),
                "passed": passed,
                "result": str(_("及格") if passed else _("不及格")),
                "attempts": len(attempts),
                "date": timezone.localtime(last).strftime("%Y-%m-%d"),
                "sort": last,
            }
        )
    return sorted(rows, key=lambda r: r["sort"], reverse=True)


def is_trainer(user) -> bool:
    return account_selectors.user_has_role(user, roles.TRAINER) or account_selectors.user_sees_all_units(user)


def reflections_for_review(*, by, status: str | None = ReflectionStatus.SUBMITTED) -> QuerySet[Reflection]:
    """Reflections of cadres in the reviewer's scope."""
    units = account_selectors.org_units_visible_to(by)
    qs = (
        Reflection.objects.filter(user__cadre_profile__org_unit__in=units)
        .exclude(user=by)
        .select_related("user", "user__cadre_profile__org_unit", "page")
        .order_by("submitted_at")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def assignments_visible_to(*, user) -> QuerySet[CourseAssignment]:
    """Assignments made by the user, or touching a unit in their scope."""
    units = account_selectors.org_units_visible_to(user)
    return (
        CourseAssignment.objects.filter(Q(created_by=user) | Q(org_units__in=units))
        .distinct()
        .select_related("course", "created_by")
        .prefetch_related("org_units")
        .annotate(enrolled=Count("enrolments", distinct=True))
        .order_by("-created_at", "-pk")
    )


def assignment_enrolments(*, assignment: CourseAssignment) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(course_id=assignment.course_id, year=assignment.year, assignment=assignment)
        .select_related("user", "user__cadre_profile__org_unit")
        .order_by("user__cadre_profile__org_unit__path", "user__username")
    )


def lesson_body_is_empty(*, body) -> bool:
    """True when no block of a lesson body carries content (an empty 正文 paragraph is no content)."""
    return not any(block_has_content(block.value) for block in body or [])
