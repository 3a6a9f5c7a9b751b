"""Reads for the trainer reports. Unit figures come from the counters only: a report reads the
unit's own rows and its children's rows, so its cost does not grow with the number of cadres.

Scope: every entry point takes the requesting user and answers only inside
``accounts.selectors.org_units_visible_to(user)``.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts import selectors as account_selectors
from accounts.models import CadreProfile, OrgUnit, TrainingTargets
from accounts.roles import Rank
from learning.models import CourseKind, CoursePage, CreditLedger, Enrolment, Topic
from reports.models import (
    NO_DUE,
    CadreCounter,
    CompletionMonth,
    CourseCounter,
    ExportStatus,
    QuizCounter,
    Reminder,
    ReportExport,
)

ZERO = Decimal("0")

# 统计口径: every figure of the reports, defined once. The page prints these, the Excel export
# carries them as a sheet, and tests/reports/test_figures.py checks each against the source rows.
DEFINITIONS: list[tuple[str, str]] = [
    (_("干部数"), _("所选单位及其全部下级单位中建有干部档案的人数（按职级筛选时只计该职级）。")),
    (_("人次"), _("一名干部在一个年度选学一门课程计 1 人次（一条选课记录）；年度为指派或选课所属年度。")),
    (_("指派"), _("培训管理员按单位指派、带截止日期的选课人次（来源为“指派”），不论课程是必修还是选修。")),
    (_("指派完成"), _("指派人次中已完成的人次（课时学完、结业测验通过，系统记下完成时间）。")),
    (_("指派完成率"), _("指派完成 ÷ 指派。页面上同时列出这两个人次数。")),
    (_("逾期"), _("指派人次中截止日期早于今天、仍未完成的人次（截止日当天不算逾期）。")),
    (_("自选"), _("干部在课程中心自行选学、没有截止日期的人次（来源为“自选”），从不算逾期。")),
    (_("自选完成"), _("自选人次中已完成的人次；自选完成率＝自选完成 ÷ 自选。")),
    (_("必修／选修"), _("课程本身的类别（由编辑设定）。筛选“类别”后，以上各数只计该类别的课程；不筛选时两类合计。")),
    (_("课程状态"), _("每门课程只有四种状态：已完成；逾期（过截止日期仍未完成）；学习中（已打开过课时）；未开始。")),
    (_("学时"), _("按记入年度统计的已获学时（完成课程时记入，每人每门课每年一次）；目标为各人职级年度学时目标之和。")),
    (_("测验平均分"), _("按测验评分方式取每人成绩（百分制）再求平均；不受课程、类别、专题筛选影响。")),
]


def is_report_user(user) -> bool:
    return account_selectors.user_has_role(user, roles.TRAINER) or account_selectors.user_sees_all_units(user)


# --- filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """年度, 职级, 必修/选修, 课程, 专题. Rank is part of every counter key, so it filters counters directly."""

    year: int
    rank: int | None = None
    kind: str | None = None
    course_id: int | None = None
    topic_id: int | None = None

    def course_q(self, prefix: str = "") -> Q:
        q = Q()
        if self.course_id:
            q &= Q(**{f"{prefix}course_id": self.course_id})
        if self.kind:
            q &= Q(**{f"{prefix}course__kind": self.kind})
        if self.topic_id:
            q &= Q(**{f"{prefix}course__topic_id": self.topic_id})
        return q

    def as_params(self) -> dict:
        params = {"year": self.year}
        for name in ("rank", "kind", "course_id", "topic_id"):
            if getattr(self, name):
                params["course" if name == "course_id" else "topic" if name == "topic_id" else name] = getattr(
                    self, name
                )
        return params

    def describe(self) -> str:
        parts = [_("%(year)s年度") % {"year": self.year}]
        if self.rank:
            parts.append(str(Rank(self.rank).label))
        if self.kind:
            parts.append(str(CourseKind(self.kind).label))
        if self.course_id:
            parts.append(CoursePage.objects.filter(pk=self.course_id).values_list("title", flat=True).first() or "")
        if self.topic_id:
            parts.append(Topic.objects.filter(pk=self.topic_id).values_list("name", flat=True).first() or "")
        return " · ".join(p for p in parts if p)


def _int(value, name: str, errors: list) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        errors.append(_("%(name)s应为数字。") % {"name": name})
        return None


def parse_filters(data) -> Filters:
    """Filters from a query string; bad values raise ValidationError with Chinese messages."""
    errors: list[str] = []
    year = _int(data.get("year"), _("年度"), errors) or timezone.localdate().year
    if not 2000 <= year <= 2100:
        errors.append(_("年度超出范围。"))
    rank = _int(data.get("rank"), _("职级"), errors)
    if rank is not None and rank not in Rank.values:
        errors.append(_("职级不正确。"))
    kind = data.get("kind") or None
    if kind is not None and kind not in CourseKind.values:
        errors.append(_("课程类别不正确。"))
    course_id = _int(data.get("course"), _("课程"), errors)
    topic_id = _int(data.get("topic"), _("专题"), errors)
    if errors:
        raise ValidationError(errors)
    return Filters(year=year, rank=rank, kind=kind, course_id=course_id, topic_id=topic_id)


# --- scope ------------------------------------------------------------------------------------


def scope_roots(user) -> list[OrgUnit]:
    """The tops of the user's subtrees, without any that lie inside another (no double counting)."""
    roots = list(account_selectors.scope_root_units(user).order_by("path"))
    result: list[OrgUnit] = []
    for unit in roots:
        if not any(unit.path.startswith(r.path) for r in result):
            result.append(unit)
    return result


def visible_unit(user, unit_id) -> OrgUnit | None:
    """The unit if the user may see it, else None (callers answer 404: no hint that it exists)."""
    try:
        unit_id = int(unit_id)
    except (TypeError, ValueError):
        return None
    return account_selectors.org_units_visible_to(user).filter(pk=unit_id).first()


def breadcrumbs(user, unit: OrgUnit) -> list[OrgUnit]:
    """Ancestors of `unit` the user may see, top first, ending with the unit."""
    visible = account_selectors.org_units_visible_to(user)
    return list(
        visible.filter(
            path__in=[unit.path[:i] for i in range(unit.steplen, len(unit.path) + 1, unit.steplen)]
        ).order_by("depth")
    )


# --- unit report ------------------------------------------------------------------------------


def rate(part: int, whole: int) -> float | None:
    """A percentage with one decimal, or None when there is nothing to divide by."""
    return round(part / whole * 100, 1) if whole else None


class EnrolmentFigures:
    """指派 / 指派完成 / 逾期 / 自选 / 自选完成 and the rates made of them (see DEFINITIONS)."""

    assigned: int
    assigned_completed: int
    overdue: int
    self_enrolled: int
    self_completed: int

    @property
    def enrolled(self) -> int:
        return self.assigned + self.self_enrolled

    @property
    def completed(self) -> int:
        return self.assigned_completed + self.self_completed

    @property
    def completion_rate(self) -> float | None:
        """指派完成率 = 指派完成 ÷ 指派."""
        return rate(self.assigned_completed, self.assigned)

    @property
    def self_rate(self) -> float | None:
        return rate(self.self_completed, self.self_enrolled)


FIGURE_FIELDS = ("assigned", "assigned_completed", "overdue", "self_enrolled", "self_completed")


@dataclass
class UnitRow(EnrolmentFigures):
    unit: OrgUnit | None
    label: str
    cadres: int = 0
    assigned: int = 0
    assigned_completed: int = 0
    overdue: int = 0
    self_enrolled: int = 0
    self_completed: int = 0
    graded: int = 0
    score_sum: Decimal = ZERO
    hours: Decimal = ZERO
    target: Decimal = ZERO
    has_children: bool = False
    own: bool = False  # cadres attached to the parent unit itself

    @property
    def average_score(self) -> float | None:
        return round(float(self.score_sum) / self.graded, 1) if self.graded else None

    @property
    def hours_per_cadre(self) -> float | None:
        return round(float(self.hours) / self.cadres, 2) if self.cadres else None

    @property
    def target_per_cadre(self) -> float | None:
        return round(float(self.target) / self.cadres, 2) if self.cadres else None

    @property
    def hours_rate(self) -> float | None:
        return round(float(self.hours) / float(self.target) * 100, 1) if self.target else None

    def minus(self, others: list["UnitRow"], label: str) -> "UnitRow":
        row = UnitRow(unit=self.unit, label=label, own=True)
        for name in SUM_FIELDS:
            setattr(
                row, name, getattr(self, name) - sum((getattr(o, name) for o in others), type(getattr(self, name))())
            )
        return row


SUM_FIELDS = ("cadres", *FIGURE_FIELDS, "graded", "score_sum", "hours", "target")


def _figure_aggregates() -> dict:
    """The counter sums behind FIGURE_FIELDS (rows with a real deadline are assignments)."""
    assigned = ~Q(due_date=NO_DUE)
    return {
        "assigned": Coalesce(Sum("enrolled", filter=assigned), 0),
        "assigned_completed": Coalesce(Sum("completed", filter=assigned), 0),
        "self_enrolled": Coalesce(Sum("enrolled", filter=Q(due_date=NO_DUE)), 0),
        "self_completed": Coalesce(Sum("completed", filter=Q(due_date=NO_DUE)), 0),
    }


def _overdue_aggregate(today: date):
    return Coalesce(Sum(F("enrolled") - F("completed"), filter=Q(due_date__lt=today)), 0)


def _targets() -> dict[int, Decimal]:
    settings_obj = TrainingTargets.load()
    return {rank: Decimal(settings_obj.target_for(rank)) for rank in Rank.values}


def unit_rows(units: list[OrgUnit], filters: Filters, *, today: date | None = None) -> dict[int, UnitRow]:
    """Subtree totals of each unit, from the counters: three grouped queries over len(units) units' rows."""
    today = today or timezone.localdate()
    ids = [u.pk for u in units]
    rows = {u.pk: UnitRow(unit=u, label=u.name) for u in units}
    rank_q = Q(rank=filters.rank) if filters.rank else Q()
    targets = _targets()
    for unit_id, rank, n in CadreCounter.objects.filter(rank_q, org_unit_id__in=ids).values_list(
        "org_unit_id", "rank", "cadres"
    ):
        rows[unit_id].cadres += n
        rows[unit_id].target += targets.get(rank, ZERO) * n
    course_rows = (
        CourseCounter.objects.filter(rank_q, filters.course_q(), org_unit_id__in=ids, year=filters.year)
        .values("org_unit_id")
        .annotate(**_figure_aggregates(), overdue=_overdue_aggregate(today), hours_n=Sum("hours"))
    )
    for r in course_rows:
        row = rows[r["org_unit_id"]]
        for name in FIGURE_FIELDS:
            setattr(row, name, r[name])
        row.hours = r["hours_n"] or ZERO
    for r in (
        QuizCounter.objects.filter(rank_q, org_unit_id__in=ids, year=filters.year)
        .values("org_unit_id")
        .annotate(g=Sum("graded"), s=Sum("score_sum"))
    ):
        rows[r["org_unit_id"]].graded = r["g"] or 0
        rows[r["org_unit_id"]].score_sum = r["s"] or ZERO
    return rows


@dataclass
class UnitReport:
    unit: OrgUnit | None  # None: the user's scope roots side by side
    total: UnitRow
    rows: list[UnitRow]
    filters: Filters
    trend: list[tuple[str, int]] = field(default_factory=list)


def unit_report(*, user, unit: OrgUnit | None, filters: Filters, today: date | None = None) -> UnitReport:
    """One level of the tree: `unit`'s children (and its own cadres) with subtree totals; None means the scope roots."""
    if unit is None:
        roots = scope_roots(user)
        data = unit_rows(roots, filters, today=today)
        rows = [data[u.pk] for u in roots]
        total = UnitRow(unit=None, label=_("合计"))
        for name in SUM_FIELDS:
            setattr(total, name, sum((getattr(r, name) for r in rows), type(getattr(total, name))()))
        trend_units = roots
    else:
        children = list(unit.get_children().order_by("path"))
        data = unit_rows([unit, *children], filters, today=today)
        total = data[unit.pk]
        rows = [data[c.pk] for c in children]
        own = total.minus(rows, _("本级（%(name)s）") % {"name": unit.name})
        if own.cadres or own.enrolled or own.hours:
            rows.insert(0, own)
        trend_units = [unit]
    with_children = set(
        OrgUnit.objects.filter(pk__in=[r.unit.pk for r in rows if r.unit and not r.own], numchild__gt=0).values_list(
            "pk", flat=True
        )
    )
    for r in rows:
        r.has_children = bool(r.unit and not r.own and r.unit.pk in with_children)
    return UnitReport(
        unit=unit, total=total, rows=rows, filters=filters, trend=completion_trend(trend_units, filters.year)
    )


def completion_trend(units: list[OrgUnit], year: int) -> list[tuple[str, int]]:
    """Cumulative completions by month of `year` over the given subtrees (from the per-month counters)."""
    monthly = [0] * 12
    for day, n in CompletionMonth.objects.filter(org_unit__in=units, month__year=year).values_list(
        "month", "completed"
    ):
        monthly[day.month - 1] += n
    result, running = [], 0
    today = timezone.localdate()
    months = 12 if year < today.year else (today.month if year == today.year else 0)
    for month in range(1, months + 1):
        running += monthly[month - 1]
        result.append((_("%(m)s月") % {"m": month}, running))
    return result


# --- cadres of a unit -------------------------------------------------------------------------


@dataclass
class CadreRow(EnrolmentFigures):
    profile: CadreProfile
    assigned: int = 0
    assigned_completed: int = 0
    overdue: int = 0
    self_enrolled: int = 0
    self_completed: int = 0
    hours: Decimal = ZERO
    target: Decimal = ZERO


def _enrolment_counts(today: date) -> dict:
    """The same FIGURE_FIELDS counted straight from Enrolment rows (a page of cadres)."""
    assigned = Q(due_date__isnull=False)
    done = Q(completed_at__isnull=False)
    return {
        "assigned": Count("pk", filter=assigned),
        "assigned_completed": Count("pk", filter=assigned & done),
        "overdue": Count("pk", filter=assigned & Q(completed_at__isnull=True, due_date__lt=today)),
        "self_enrolled": Count("pk", filter=~assigned),
        "self_completed": Count("pk", filter=~assigned & done),
    }


def cadre_queryset(*, unit: OrgUnit, filters: Filters, subtree: bool = False) -> QuerySet[CadreProfile]:
    qs = (
        CadreProfile.objects.filter(org_unit__path__startswith=unit.path)
        if subtree
        else CadreProfile.objects.filter(org_unit=unit)
    )
    if filters.rank:
        qs = qs.filter(rank=filters.rank)
    return qs.select_related("user", "org_unit").order_by("org_unit__path", "employee_no")


def cadre_rows(profiles: list[CadreProfile], filters: Filters, *, today: date | None = None) -> list[CadreRow]:
    """Per-cadre figures for a page of cadres: two grouped queries whatever the page size."""
    today = today or timezone.localdate()
    targets = _targets()
    user_ids = [p.user_id for p in profiles]
    rows = {p.user_id: CadreRow(profile=p, target=targets.get(p.rank, ZERO)) for p in profiles}
    for r in (
        Enrolment.objects.filter(filters.course_q(), user_id__in=user_ids, year=filters.year)
        .values("user_id")
        .annotate(**_enrolment_counts(today))
    ):
        row = rows[r["user_id"]]
        for name in FIGURE_FIELDS:
            setattr(row, name, r[name])
    for uid, hours in (
        CreditLedger.objects.filter(filters.course_q(), user_id__in=user_ids, year=filters.year)
        .values("user_id")
        .annotate(h=Sum("hours"))
        .values_list("user_id", "h")
    ):
        rows[uid].hours = hours or ZERO
    return [rows[p.user_id] for p in profiles]


def iter_cadre_rows(*, unit: OrgUnit, filters: Filters, chunk: int = 2000, today: date | None = None):
    """Every cadre of a subtree with figures, chunk by chunk (constant memory for exports)."""
    qs = cadre_queryset(unit=unit, filters=filters, subtree=True)
    last = None
    while True:
        page_qs = qs.filter(employee_no__gt=last) if last is not None else qs
        # Keyset pagination by employee number (unique), so no OFFSET scans on big subtrees.
        page = list(page_qs.order_by("employee_no")[:chunk])
        if not page:
            return
        yield from cadre_rows(page, filters, today=today)
        last = page[-1].employee_no


# --- course report ----------------------------------------------------------------------------


@dataclass
class CourseRow(EnrolmentFigures):
    course: CoursePage
    assigned: int = 0
    assigned_completed: int = 0
    overdue: int = 0
    self_enrolled: int = 0
    self_completed: int = 0
    hours: Decimal = ZERO


@dataclass
class QuizRow:
    quiz_id: int
    title: str
    graded: int
    average: float | None
    bands: list[int]


def course_rows(*, units: list[OrgUnit], filters: Filters, today: date | None = None) -> list[CourseRow]:
    today = today or timezone.localdate()
    rank_q = Q(rank=filters.rank) if filters.rank else Q()
    data = (
        CourseCounter.objects.filter(rank_q, filters.course_q(), org_unit__in=units, year=filters.year)
        .values("course_id")
        .annotate(**_figure_aggregates(), overdue=_overdue_aggregate(today), h=Sum("hours"))
    )
    data = {r["course_id"]: r for r in data if r["assigned"] or r["self_enrolled"] or r["h"]}
    courses = CoursePage.objects.filter(pk__in=data).select_related("topic").order_by("path")
    return [
        CourseRow(course=c, hours=data[c.pk]["h"] or ZERO, **{name: data[c.pk][name] for name in FIGURE_FIELDS})
        for c in courses
    ]


def quiz_rows(*, units: list[OrgUnit], filters: Filters) -> list[QuizRow]:
    from quizzes.models import Quiz

    rank_q = Q(rank=filters.rank) if filters.rank else Q()
    data = (
        QuizCounter.objects.filter(rank_q, org_unit__in=units, year=filters.year)
        .values("quiz_id")
        .annotate(
            g=Sum("graded"),
            s=Sum("score_sum"),
            b0=Sum("band0"),
            b1=Sum("band1"),
            b2=Sum("band2"),
            b3=Sum("band3"),
            b4=Sum("band4"),
        )
    )
    data = [r for r in data if r["g"]]
    titles = dict(Quiz.objects.filter(pk__in=[r["quiz_id"] for r in data]).values_list("pk", "title"))
    return [
        QuizRow(
            quiz_id=r["quiz_id"],
            title=titles.get(r["quiz_id"], "—"),
            graded=r["g"],
            average=round(float(r["s"]) / r["g"], 1),
            bands=[r["b0"], r["b1"], r["b2"], r["b3"], r["b4"]],
        )
        for r in sorted(data, key=lambda r: titles.get(r["quiz_id"], ""))
    ]


def overdue_enrolments(*, units: list[OrgUnit], filters: Filters, today: date | None = None) -> QuerySet[Enrolment]:
    """Open enrolments past their deadline for cadres in the given subtrees (a row query, used paginated)."""
    today = today or timezone.localdate()
    unit_q = Q()
    for u in units:
        unit_q |= Q(user__cadre_profile__org_unit__path__startswith=u.path)
    if not units:
        return Enrolment.objects.none()
    qs = Enrolment.objects.filter(
        unit_q, filters.course_q(), year=filters.year, completed_at__isnull=True, due_date__lt=today
    )
    if filters.rank:
        qs = qs.filter(user__cadre_profile__rank=filters.rank)
    return qs.select_related("user", "user__cadre_profile__org_unit", "course").order_by(
        "due_date", "user__cadre_profile__org_unit__path", "user_id"
    )


# --- a cadre's archive ------------------------------------------------------------------------


def cadre_archive(*, cadre) -> dict:
    """Courses (every enrolment), 学时 by year, quiz grades, reflections; cases read when the cases app is installed."""
    from django.apps import apps

    from learning import selectors as learning_selectors
    from quizzes.models import Attempt, AttemptState
    from quizzes.selectors import grade_from_attempts

    archive = learning_selectors.archive_for(user=cadre)
    enrolments = list(
        Enrolment.objects.filter(user=cadre).select_related("course", "course__topic").order_by("-year", "due_date")
    )
    statuses = learning_selectors.enrolment_statuses(enrolments)
    for e in enrolments:
        e.status = statuses[e.pk]
        e.status_label = learning_selectors.status_label(e.status)
    attempts = defaultdict(list)
    for a in (
        Attempt.objects.filter(user=cadre, state=AttemptState.FINISHED)
        .select_related("quiz")
        .order_by("quiz_id", "number")
    ):
        attempts[a.quiz].append(a)
    quizzes = [
        {
            "quiz": quiz,
            "attempts": len(items),
            "grade": grade_from_attempts(quiz.grading_method, items),
            "last": max(a.finished_at for a in items),
        }
        for quiz, items in attempts.items()
    ]
    cases_read = []
    if apps.is_installed("cases"):
        case_read = apps.get_model("cases", "CaseRead")
        cases_read = list(case_read.objects.filter(user=cadre).select_related("case").order_by("-pk")[:100])
    return {
        "archive": archive,
        "enrolments": enrolments,
        "quizzes": quizzes,
        "cases_read": cases_read,
        "reminders": Reminder.objects.filter(user=cadre).select_related("course").order_by("-day")[:20],
        "today": timezone.localdate(),
    }


# --- exports and reminders --------------------------------------------------------------------


def exports_for(*, user) -> QuerySet[ReportExport]:
    return ReportExport.objects.filter(user=user).order_by("-created_at")


def export_downloadable(*, user, export_id: int, now=None) -> ReportExport | None:
    """The one rule for an export's file: only its requester, only finished, only until it expires."""
    export = exports_for(user=user).filter(pk=export_id, status=ExportStatus.DONE).exclude(file="").first()
    if export is None or export.is_expired(now):
        return None
    return export


def notices_for(*, user, days: int = 14) -> QuerySet[Reminder]:
    since = timezone.localdate() - timezone.timedelta(days=days)
    return (
        Reminder.objects.filter(
            user=user, day__gte=since, course__enrolments__user=user, course__enrolments__completed_at__isnull=True
        )
        .select_related("course")
        .distinct()
        .order_by("-day")
    )


def last_reminded(*, enrolments: list[Enrolment]) -> dict[tuple[int, int], date]:
    if not enrolments:
        return {}
    return {
        (r["user_id"], r["course_id"]): r["d"]
        for r in Reminder.objects.filter(
            user_id__in={e.user_id for e in enrolments}, course_id__in={e.course_id for e in enrolments}
        )
        .values("user_id", "course_id")
        .annotate(d=Max("day"))
    }


def trainer_work(*, user, today: date | None = None) -> dict:
    """What waits for a trainer today: overdue 人次 in their scope (this year's counters), reflections to
    review and essays to grade (the same rules as the review and grading pages)."""
    from learning import selectors as learning_selectors
    from quizzes import selectors as quiz_selectors

    today = today or timezone.localdate()
    report = unit_report(user=user, unit=None, filters=Filters(year=today.year), today=today)
    return {
        "year": today.year,
        "total": report.total,
        "units": [r for r in report.rows if r.overdue][:5],
        "reflections": learning_selectors.reflections_for_review(by=user).count(),
        "essays": quiz_selectors.grading_queue_for(user).count(),
    }
