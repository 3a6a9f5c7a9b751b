"""The set-based counter rebuild (PostgreSQL) writes exactly what the source rows say: the same counters
as the Python path (`counters.check()`), and snapshots equal to `compute_contributions`, so later events
subtract exactly what the rebuild added."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from accounts import factories as af
from accounts.models import CadreProfile, OrgUnit
from accounts.roles import Rank
from learning import services as ls
from learning.models import CourseKind, Enrolment
from quizzes.models import Attempt, AttemptState, GradingMethod, Quiz
from reports import counters
from reports.models import CadreCounter, CadreTally, CourseCounter, QuizCounter

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the SQL rebuild is PostgreSQL's"),
]
TZ = ZoneInfo("Asia/Shanghai")


def attempt(user, quiz, number, score, *, max_score="100", when=None, state=AttemptState.FINISHED):
    when = when or datetime(2026, 3, 1, 10, tzinfo=TZ)
    return Attempt.objects.create(
        quiz=quiz,
        user=user,
        number=number,
        state=state,
        started_at=when - timedelta(minutes=20),
        finished_at=when if state != AttemptState.IN_PROGRESS else None,
        score=None if score is None else Decimal(score),
        max_score=Decimal(max_score),
    )


def snapshot():
    return {t.user_id: (t.units, t.rank, t.data) for t in CadreTally.objects.all()}


def counter_rows():
    return {
        "cadres": sorted(CadreCounter.objects.values_list("org_unit_id", "rank", "cadres")),
        "courses": sorted(
            CourseCounter.objects.values_list(
                "org_unit_id", "year", "course_id", "due_date", "rank", "enrolled", "completed", "hours"
            )
        ),
        "quizzes": sorted(
            QuizCounter.objects.values_list(
                "org_unit_id", "year", "quiz_id", "rank", "graded", "score_sum", "band0", "band1", "band2", "band3"
            )
        ),
    }


def test_sql_rebuild_equals_the_python_rebuild_and_the_source_rows(make_course, assign):
    a = af.cadre(unit="省/甲市/A县/局1", rank=Rank.COUNTY)
    b = af.cadre(unit="省/甲市/A县/局2")
    c = af.cadre(unit="省/乙市/B县/局1", rank=Rank.BUREAU)
    d = af.cadre(unit="省/乙市")  # a cadre in a unit that has children
    required = make_course(hours="1.5")
    elective = make_course(kind=CourseKind.ELECTIVE, hours="2.25")
    assign(required, ["省/甲市", "省/乙市"])
    assign(required, ["省"], year=2025, due=date(2025, 12, 31))
    ls.course_complete(user=a, course=required, now=datetime(2026, 2, 28, 23, 30, tzinfo=TZ))
    ls.course_complete(user=c, course=required, now=datetime(2026, 3, 31, 17, 0, tzinfo=TZ))
    ls.enrolment_self_create(user=b, course=elective)
    ls.course_complete(user=b, course=elective, now=datetime(2026, 4, 30, 20, 0, tzinfo=TZ))
    Enrolment.objects.filter(user=d).update(completed_at=datetime(2026, 1, 31, 23, 59, tzinfo=TZ))
    # Quizzes under every grading method, ties that Decimal rounds half-even, an attempt without a score,
    # one with max_score 0 (no percent, but its time still sets the year), one in progress.
    highest = Quiz.objects.create(title="最高分", grading_method=GradingMethod.HIGHEST)
    first = Quiz.objects.create(title="第一次", grading_method=GradingMethod.FIRST)
    last = Quiz.objects.create(title="最后一次", grading_method=GradingMethod.LAST)
    average = Quiz.objects.create(title="平均分", grading_method=GradingMethod.AVERAGE)
    attempt(a, highest, 1, "59.5")
    attempt(a, highest, 2, "90")
    attempt(a, first, 1, "12.25")  # 12.25 % → 12.2 (half-even)
    attempt(a, first, 2, "99")
    attempt(b, last, 1, "70")
    attempt(b, last, 2, "12.35")  # → 12.4
    attempt(b, last, 3, None)
    attempt(c, average, 1, "80")
    attempt(c, average, 2, "80.1")  # average 80.05 → 80.0 (half-even)
    attempt(c, average, 3, "0", max_score="0", when=datetime(2027, 1, 1, 1, tzinfo=TZ))  # year 2027
    attempt(d, average, 1, "2", max_score="3")  # 66.666… → 66.7
    attempt(d, highest, 1, None, state=AttemptState.IN_PROGRESS)

    counters.rebuild(python=True)
    python_counters, python_tallies = counter_rows(), snapshot()
    counters.rebuild()
    assert counter_rows() == python_counters
    assert snapshot() == python_tallies
    assert counters.check() == []
    fresh = counters.compute_contributions(list(CadreProfile.objects.values_list("user_id", flat=True)))
    for t in CadreTally.objects.all():
        assert counters.Contribution.from_tally(t) == fresh[t.user_id]
    assert CadreTally.objects.count() == 4

    # A refresh after the SQL rebuild changes nothing, and events still apply their difference.
    assert counters.refresh_cadres([a.pk, b.pk, c.pk, d.pk]) == 0
    CadreProfile.objects.filter(user=a).update(org_unit=OrgUnit.objects.get(full_path="省/乙市/B县/局1"))
    counters.refresh_cadres([a.pk])
    assert counters.check() == []


def test_sql_rebuild_on_an_empty_database():
    assert counters.rebuild() == 0
    assert counters.check() == []
