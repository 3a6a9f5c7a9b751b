"""Reads for the trainer reports about attention checks (防挂机, learning/attention.py).

A check is *missed* when it was answered after its deadline (or after a wrong number) or is still
unanswered past its deadline; *in time* when the right number came before the deadline. Scope is
the caller's: the views pass only units and cadres the trainer may see (reports.selectors).
"""

import os
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q
from django.utils import timezone

from accounts.models import OrgUnit
from learning.models import AttentionCheck, AttentionOutcome


def _missed(now: datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}outcome": AttentionOutcome.LATE}) | Q(
        **{f"{prefix}outcome": AttentionOutcome.PENDING, f"{prefix}deadline__lt": now}
    )


def _year_range(year: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return datetime(year, 1, 1, tzinfo=tz), datetime(year + 1, 1, 1, tzinfo=tz)


@dataclass
class LessonAttention:
    lesson_id: int
    lesson_title: str
    course_title: str
    shown: int
    in_time: int
    missed: int
    last_at: datetime | None


def cadre_lessons(*, cadre, now: datetime | None = None) -> list[LessonAttention]:
    """Per lesson the cadre was checked in: checks shown, answered in time, missed."""
    now = now or timezone.now()
    rows = (
        AttentionCheck.objects.filter(user=cadre)
        .values("lesson_id", "lesson__title")
        .annotate(
            shown=Count("pk"),
            in_time=Count("pk", filter=Q(outcome=AttentionOutcome.PASSED)),
            missed=Count("pk", filter=_missed(now)),
            last_at=Max("issued_at"),
        )
        .order_by("-last_at")
    )
    rows = list(rows)
    from learning.models import LessonPage

    courses = {
        lesson.pk: lesson.get_parent().title
        for lesson in LessonPage.objects.filter(pk__in=[r["lesson_id"] for r in rows])
    }
    return [
        LessonAttention(
            lesson_id=r["lesson_id"],
            lesson_title=r["lesson__title"],
            course_title=courses.get(r["lesson_id"], ""),
            shown=r["shown"],
            in_time=r["in_time"],
            missed=r["missed"],
            last_at=r["last_at"],
        )
        for r in rows
    ]


@dataclass
class UnitAttention:
    label: str
    unit: OrgUnit
    cadres_checked: int
    shown: int
    in_time: int
    missed: int
    cadres_missing: int  # cadres with at least one missed check

    @property
    def missed_rate(self) -> float | None:
        return round(self.missed / self.shown * 100, 1) if self.shown else None


def unit_summary(*, rows: list, year: int, now: datetime | None = None) -> list[UnitAttention]:
    """For each row of a unit report (its ``unit``, ``label`` and ``own``): checks in ``year`` in that subtree.

    Set-based: the subtree rows of one depth are counted in one grouped query (checks grouped by their
    cadre's unit path cut to that depth), so a province root with hundreds of cities costs one query,
    not one per city; a unit's own cadres ("本级") take one more.
    """
    from django.db.models.functions import Substr

    now = now or timezone.now()
    start, end = _year_range(year)
    aggregates = {
        "shown": Count("pk"),
        "in_time": Count("pk", filter=Q(outcome=AttentionOutcome.PASSED)),
        "missed": Count("pk", filter=_missed(now)),
        "cadres_checked": Count("user", distinct=True),
        "cadres_missing": Count("user", filter=_missed(now), distinct=True),
    }
    zero = dict.fromkeys(aggregates, 0)
    checks = AttentionCheck.objects.filter(issued_at__gte=start, issued_at__lt=end)
    step = OrgUnit.steplen
    figures: dict[tuple, dict] = {}
    subtrees = [r for r in rows if r.unit is not None and not getattr(r, "own", False)]
    for depth in sorted({r.unit.depth for r in subtrees}):
        paths = [r.unit.path for r in subtrees if r.unit.depth == depth]
        common = os.path.commonprefix(paths)
        common = common[: len(common) // step * step]
        grouped = (
            checks.filter(user__cadre_profile__org_unit__path__startswith=common)
            .annotate(branch=Substr("user__cadre_profile__org_unit__path", 1, step * depth))
            .filter(branch__in=paths)
            .values("branch")
            .annotate(**aggregates)
        )
        for g in grouped:
            figures[("subtree", g.pop("branch"))] = g
    for r in rows:
        if r.unit is not None and getattr(r, "own", False):
            figures[("own", r.unit.pk)] = checks.filter(user__cadre_profile__org_unit=r.unit).aggregate(**aggregates)
    result = []
    for row in rows:
        if row.unit is None:
            continue
        key = ("own", row.unit.pk) if getattr(row, "own", False) else ("subtree", row.unit.path)
        result.append(UnitAttention(label=row.label, unit=row.unit, **figures.get(key, zero)))
    return result
