"""services.assignment_create / assignment_sync / enrolments_sync_for_cadre and the trainer's assignment views."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.factories import cadre, org_unit, trainer
from accounts.roles import Rank
from learning import factories, services
from learning.models import CourseAssignment, CourseKind, Enrolment

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "east_head": cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.TOWNSHIP),
        "east_clerk": cadre(unit="某省/甲市/东山县/交通运输局", rank=Rank.OTHER),
        "east_county": cadre(unit="某省/甲市/东山县", rank=Rank.COUNTY),
        "west": cadre(unit="某省/甲市/西河县/财政局", rank=Rank.TOWNSHIP),
        "other_city": cadre(unit="某省/乙市/南湖区/教育局", rank=Rank.TOWNSHIP),
    }


def assign(by, course, *paths, ranks=None, year=2026):
    return services.assignment_create(
        by=by,
        course=course,
        org_units=[org_unit(p) for p in paths],
        ranks=ranks,
        year=year,
        due_date=date(year, 10, 31),
    )


def test_assignment_reaches_sub_units(people):
    course = factories.course(lessons=1)
    assignment = assign(trainer("某省/甲市"), course, "某省/甲市/东山县")
    enrolled = set(Enrolment.objects.filter(course=course).values_list("user_id", flat=True))
    assert enrolled == {people["east_head"].pk, people["east_clerk"].pk, people["east_county"].pk}
    assert Enrolment.objects.filter(assignment=assignment, due_date=date(2026, 10, 31), year=2026).count() == 3


def test_assignment_limited_to_ranks(people):
    course = factories.course(lessons=1)
    assign(trainer("某省/甲市"), course, "某省/甲市", ranks=[Rank.TOWNSHIP, Rank.COUNTY])
    enrolled = set(Enrolment.objects.filter(course=course).values_list("user_id", flat=True))
    assert enrolled == {people["east_head"].pk, people["east_county"].pk, people["west"].pk}


def test_trainer_cannot_assign_outside_scope(people):
    course = factories.course(lessons=1)
    county_trainer = trainer("某省/甲市/东山县")
    with pytest.raises(PermissionDenied):
        assign(county_trainer, course, "某省/甲市/西河县")
    with pytest.raises(PermissionDenied):
        assign(county_trainer, course, "某省/甲市")  # the parent of their scope
    assert not CourseAssignment.objects.exists() and not Enrolment.objects.exists()


def test_electives_are_not_assigned(people):
    course = factories.course(lessons=1, kind=CourseKind.ELECTIVE)
    with pytest.raises(ValidationError):
        assign(trainer("某省/甲市"), course, "某省/甲市")


def test_sync_is_idempotent_and_reaches_cadres_added_later(people):
    course = factories.course(lessons=1)
    assignment = assign(trainer("某省/甲市"), course, "某省/甲市/东山县")
    assert services.assignment_sync(assignment=assignment) == 0
    newcomer = cadre(unit="某省/甲市/东山县/青石镇")  # post_save on the profile enrols them
    assert Enrolment.objects.filter(user=newcomer, course=course, assignment=assignment).exists()
    assert services.assignment_sync(assignment=assignment) == 0
    assert services.assignments_sync_all() == 0
    assert Enrolment.objects.filter(course=course).count() == 4


def test_sync_after_roster_import_of_a_moved_cadre(people):
    course = factories.course(lessons=1)
    assign(trainer("某省/甲市"), course, "某省/甲市/西河县")
    profile = people["east_clerk"].cadre_profile
    profile.org_unit = org_unit("某省/甲市/西河县/财政局")
    profile.save()
    assert Enrolment.objects.filter(user=people["east_clerk"], course=course).exists()


def test_self_enrolled_cadre_gets_the_assignment_deadline(people):
    course = factories.course(lessons=1)
    Enrolment.objects.create(user=people["east_head"], course=course, year=2026, source="self")
    assign(trainer("某省/甲市"), course, "某省/甲市/东山县")
    enrolment = Enrolment.objects.get(user=people["east_head"], course=course)
    assert enrolment.due_date == date(2026, 10, 31) and enrolment.source == "assigned"


def test_assignment_view_previews_and_creates_within_scope(client, people):
    course = factories.course(lessons=1)
    boss = trainer("某省/甲市/东山县")
    client.force_login(boss)
    url = reverse("learning:assignment_create")
    data = {"course": course.pk, "org_units": [org_unit("某省/甲市/东山县").pk], "year": 2026, "due_date": "2026-10-31"}
    preview = client.post(url, {**data, "preview": "1"})
    assert preview.status_code == 200
    assert preview.context["preview"]["count"] == 3
    assert people["east_head"].get_full_name() in preview.content.decode()
    assert not CourseAssignment.objects.exists()
    created = client.post(url, data)
    assignment = CourseAssignment.objects.get()
    assert created.status_code == 302 and created["Location"] == reverse(
        "learning:assignment_detail", args=[assignment.pk]
    )
    detail = client.get(created["Location"])
    assert detail.context["reached"] == 3


def test_assignment_view_refuses_units_outside_scope(client, people):
    course = factories.course(lessons=1)
    boss = trainer("某省/甲市/东山县")
    client.force_login(boss)
    response = client.post(
        reverse("learning:assignment_create"),
        {
            "course": course.pk,
            "org_units": [org_unit("某省/甲市/西河县").pk],
            "year": 2026,
            "due_date": "2026-10-31",
        },
    )
    assert response.status_code == 200 and "org_units" in response.context["form"].errors
    assert not CourseAssignment.objects.exists()


def test_assignment_pages_are_for_trainers_only(client, people):
    client.force_login(people["east_head"])
    assert client.get(reverse("learning:assignment_create")).status_code == 403
    assert client.get(reverse("learning:assignment_list")).status_code == 403


def test_trainer_cannot_open_an_assignment_outside_scope(client, people):
    course = factories.course(lessons=1)
    assignment = assign(trainer("某省/乙市"), course, "某省/乙市")
    other = trainer("某省/甲市")
    client.force_login(other)
    assert client.get(reverse("learning:assignment_detail", args=[assignment.pk])).status_code == 404


def test_sync_assignments_command(people):
    from io import StringIO

    from django.core.management import call_command

    course = factories.course(lessons=1)
    assign(trainer("某省/甲市"), course, "某省/甲市/东山县", year=timezone.localdate().year)
    Enrolment.objects.filter(user=people["east_clerk"]).delete()
    out = StringIO()
    call_command("sync_assignments", stdout=out)
    assert "1" in out.getvalue()
    assert Enrolment.objects.filter(user=people["east_clerk"], course=course).exists()
