"""reports.attention: attention checks per cadre and lesson, and missed checks per unit."""

from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import factories as af
from accounts.models import OrgUnit
from learning import factories
from learning.models import AttentionCheck, AttentionOutcome
from reports import attention

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
_n = iter(range(10_000))


def check(user, lesson, outcome, *, issued_ago=600, answered_after=10):
    issued = NOW - timedelta(seconds=issued_ago)
    return AttentionCheck.objects.create(
        user=user,
        lesson=lesson,
        nonce=f"report-{next(_n):06d}",
        answer=12,
        choices=[12, 34, 56, 78],
        issued_at=issued,
        deadline=issued + timedelta(seconds=60),
        answered_at=None if outcome == AttentionOutcome.PENDING else issued + timedelta(seconds=answered_after),
        outcome=outcome,
    )


@dataclass
class Row:
    unit: OrgUnit
    label: str
    own: bool = False


def test_per_lesson_shown_in_time_and_missed():
    course = factories.course(lessons=2)
    a, b = list(course.lessons())
    user = af.cadre()
    check(user, a, AttentionOutcome.PASSED)
    check(user, a, AttentionOutcome.LATE, issued_ago=1200, answered_after=300)
    check(user, b, AttentionOutcome.PENDING, issued_ago=120)  # past its deadline: missed
    check(af.cadre(), a, AttentionOutcome.LATE, answered_after=300)  # someone else's
    rows = {r.lesson_id: r for r in attention.cadre_lessons(cadre=user, now=NOW)}
    assert (rows[a.pk].shown, rows[a.pk].in_time, rows[a.pk].missed) == (2, 1, 1)
    assert (rows[b.pk].shown, rows[b.pk].in_time, rows[b.pk].missed) == (1, 0, 1)
    assert rows[a.pk].course_title == course.title


def test_a_pending_check_within_its_deadline_is_not_missed():
    lesson = factories.lesson(course=factories.course())
    user = af.cadre()
    check(user, lesson, AttentionOutcome.PENDING, issued_ago=10)
    (row,) = attention.cadre_lessons(cadre=user, now=NOW)
    assert (row.shown, row.in_time, row.missed) == (1, 0, 0)


def test_unit_summary_counts_each_subtree_and_the_own_row():
    lesson = factories.lesson(course=factories.course())
    city = af.org_unit("某省/甲市")
    east, west = af.org_unit("某省/甲市/东区"), af.org_unit("某省/甲市/西区")
    idle_office = [af.cadre(unit=east) for _ in range(3)]
    for user in idle_office:
        check(user, lesson, AttentionOutcome.LATE, answered_after=400)
    check(idle_office[0], lesson, AttentionOutcome.PASSED, issued_ago=2000)
    diligent = af.cadre(unit=west)
    check(diligent, lesson, AttentionOutcome.PASSED)
    at_city = af.cadre(unit=city)
    check(at_city, lesson, AttentionOutcome.PENDING, issued_ago=300)
    check(af.cadre(unit="某省/乙市"), lesson, AttentionOutcome.LATE)  # another subtree
    rows = [Row(city, "本级", own=True), Row(east, "东区"), Row(west, "西区")]
    summary = {s.label: s for s in attention.unit_summary(rows=rows, year=timezone.localdate().year, now=NOW)}
    assert (summary["东区"].shown, summary["东区"].missed, summary["东区"].cadres_missing) == (4, 3, 3)
    assert summary["东区"].missed_rate == 75.0
    assert (summary["西区"].shown, summary["西区"].in_time, summary["西区"].missed) == (1, 1, 0)
    assert (summary["本级"].shown, summary["本级"].missed, summary["本级"].cadres_checked) == (1, 1, 1)
    # The whole city (a subtree row) holds all three, not 乙市.
    (whole,) = attention.unit_summary(rows=[Row(city, "甲市")], year=timezone.localdate().year, now=NOW)
    assert (whole.shown, whole.missed, whole.cadres_checked) == (6, 4, 5)
