from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts import factories as af
from accounts.models import CadreProfile, OrgUnit
from accounts.roles import Rank
from learning import services as ls
from learning.models import CourseKind, Enrolment
from reports import counters
from reports.models import NO_DUE, CadreCounter, CourseCounter

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 1, 10, tzinfo=TZ)


def unit(path):
    return OrgUnit.objects.get(full_path=path)


def course_row(path, course, *, due=date(2026, 6, 30), year=2026):
    rows = CourseCounter.objects.filter(org_unit=unit(path), course=course, year=year, due_date=due)
    return sum(r.enrolled for r in rows), sum(r.completed for r in rows), sum((r.hours for r in rows), Decimal(0))


def cadres(path):
    return sum(CadreCounter.objects.filter(org_unit=unit(path)).values_list("cadres", flat=True))


def assert_consistent():
    assert counters.check() == []


def test_assignment_completion_recompletion_deletion(make_course, assign):
    a = af.cadre(unit="省/甲市/A县/局1")
    b = af.cadre(unit="省/甲市/A县/局2")
    af.cadre(unit="省/乙市/B县/局1")
    course = make_course(hours="2")
    assign(course, ["省/甲市"])
    for path in ("省", "省/甲市", "省/甲市/A县"):
        assert course_row(path, course) == (2, 0, 0)
    assert course_row("省/甲市/A县/局1", course) == (1, 0, 0)
    assert cadres("省") == 3 and cadres("省/甲市") == 2 and cadres("省/乙市") == 1

    ls.course_complete(user=a, course=course, now=NOW)
    assert course_row("省", course) == (2, 1, 0)
    assert course_row("省", course, due=NO_DUE) == (0, 0, Decimal("2"))
    # Completing again changes nothing.
    assert ls.course_complete(user=a, course=course, now=NOW) is None
    counters.refresh_cadres([a.pk, b.pk])
    assert course_row("省", course) == (2, 1, 0)
    assert course_row("省/甲市/A县/局1", course) == (1, 1, 0)
    assert_consistent()

    # Deleting an enrolment subtracts it.
    Enrolment.objects.filter(user=b).delete()
    assert course_row("省", course) == (1, 1, 0)
    assert_consistent()

    # Deleting the cadre removes everything they contributed.
    a.credits.all().delete()
    a.certificates.all().delete()
    a.delete()
    assert course_row("省", course) == (0, 0, 0)
    assert course_row("省", course, due=NO_DUE) == (0, 0, 0)
    assert cadres("省") == 2 and cadres("省/甲市") == 1
    assert_consistent()


def test_cadre_moves_unit(make_course, assign):
    a = af.cadre(unit="省/甲市/A县/局1")
    course = make_course()
    assign(course, ["省"])
    ls.course_complete(user=a, course=course, now=NOW)
    assert course_row("省/甲市", course) == (1, 1, 0)
    profile = CadreProfile.objects.get(user=a)
    profile.org_unit = af.org_unit("省/乙市/B县/局9")
    profile.rank = Rank.COUNTY
    profile.save()
    assert course_row("省/甲市", course) == (0, 0, 0)
    assert course_row("省/乙市/B县/局9", course) == (1, 1, 0)
    assert course_row("省", course) == (1, 1, 0)
    assert cadres("省/甲市") == 0 and cadres("省/乙市") == 1
    assert (
        CourseCounter.objects.get(org_unit=unit("省"), course=course, due_date=date(2026, 6, 30), enrolled__gt=0).rank
        == Rank.COUNTY
    )
    assert_consistent()


def test_self_enrolment_then_assignment_moves_to_due_row(make_course, assign):
    a = af.cadre(unit="省/甲市/A县/局1")
    elective = make_course(kind=CourseKind.ELECTIVE)
    Enrolment.objects.create(user=a, course=elective, year=2026, source="self")
    assert course_row("省", elective, due=NO_DUE) == (1, 0, 0)
    required = make_course()
    Enrolment.objects.create(user=a, course=required, year=2026, source="self")
    assign(required, ["省"])
    assert course_row("省", required, due=NO_DUE) == (0, 0, 0)
    assert course_row("省", required) == (1, 0, 0)
    assert_consistent()


def test_rebuild_and_check_command(make_course, assign, capsys):
    af.cadre(unit="省/甲市/A县/局1")
    course = make_course()
    assign(course, ["省"])
    call_command("reports_rebuild", "--check")
    CourseCounter.objects.filter(org_unit=unit("省")).update(enrolled=7)
    with pytest.raises(CommandError):
        call_command("reports_rebuild", "--check")
    call_command("reports_rebuild")
    call_command("reports_rebuild", "--check")
    assert course_row("省", course) == (1, 0, 0)
