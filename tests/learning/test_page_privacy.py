"""Finding 3 of issue 16: Wagtail page privacy (login, groups, password) holds at every door.

A course restricted to a group: a cadre outside it cannot earn time, complete it, get 学时 or a
certificate, enrol, write reflections, or find it in 课程中心, the dashboard, search or case
links; a member of the group can. One rule: `core.access`.
"""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import PageViewRestriction

from accounts.factories import cadre
from core import access
from learning import factories, selectors, services
from learning.models import Certificate, CourseKind, CreditLedger, Enrolment, LessonProgress, Reflection

pytestmark = pytest.mark.django_db


@pytest.fixture
def group():
    return Group.objects.create(name="专题班学员")


@pytest.fixture
def course(group):
    page = factories.course(title="内部专题课程", kind=CourseKind.ELECTIVE, lessons=1, minutes=1)
    restriction = PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.add(group)
    return page


@pytest.fixture
def outsider():
    return cadre()


@pytest.fixture
def member(group):
    user = cadre()
    user.groups.add(group)
    return user


def _beat(client, lesson, **body):
    return client.post(f"/api/v1/lessons/{lesson.pk}/heartbeat", body, content_type="application/json")


def test_rule_follows_wagtail_semantics(course, outsider, member, rf):
    lesson = course.get_children().specific().first()
    assert not access.page_visible_to(outsider, course)
    assert not access.page_visible_to(outsider, lesson)  # restrictions cover the subtree
    assert access.page_visible_to(member, lesson)
    request = rf.get("/")
    request.user, request.session = outsider, {}
    assert all(r.accept_request(request) is False for r in lesson.get_view_restrictions())


def test_outsider_earns_nothing_through_the_heartbeat_api(client, course, outsider):
    lesson = course.get_children().specific().first()
    client.force_login(outsider)
    response = _beat(client, lesson)
    assert response.status_code == 404
    assert "课时" in response.json()["detail"]
    assert not LessonProgress.objects.filter(user=outsider).exists()


def test_services_refuse_every_write_for_an_outsider(course, outsider):
    lesson = course.get_children().specific().first()
    now = timezone.now()
    with pytest.raises(PermissionDenied):
        services.lesson_heartbeat(user=outsider, lesson=lesson, now=now)
    with pytest.raises(PermissionDenied):
        services.enrolment_self_create(user=outsider, course=course)
    with pytest.raises(PermissionDenied):
        services.course_complete(user=outsider, course=course, now=now)
    with pytest.raises(PermissionDenied):
        services.reflection_submit(user=outsider, page=lesson, body="这是一篇足够长的心得体会，谈谈学习的收获与体会。")
    assert services.course_completion_evaluate(user=outsider, course=course, now=now) is None
    assert not Certificate.objects.filter(user=outsider).exists()
    assert not CreditLedger.objects.filter(user=outsider).exists()
    assert not Enrolment.objects.filter(user=outsider).exists()
    assert not Reflection.objects.filter(user=outsider).exists()


def test_outsider_cannot_enrol_or_reflect_through_the_site(client, course, outsider):
    lesson = course.get_children().specific().first()
    client.force_login(outsider)
    assert client.post(f"/learning/courses/{course.pk}/enrol/").status_code == 404
    response = client.post(
        f"/learning/reflections/page/{lesson.pk}/", {"body": "这是一篇足够长的心得体会，谈谈学习的收获与体会。"}
    )
    assert response.status_code == 404
    assert not Enrolment.objects.filter(user=outsider).exists()
    assert not Reflection.objects.filter(user=outsider).exists()


def test_member_studies_completes_and_gets_the_certificate(client, course, member):
    lesson = course.get_children().specific().first()
    start = timezone.now()
    services.enrolment_self_create(user=member, course=course)
    for step in range(0, 121, 30):
        factories.enrol(user=member, lesson=lesson)
        services.lesson_heartbeat(user=member, lesson=lesson, now=start + timedelta(seconds=step))
    assert Certificate.objects.filter(user=member, course=course).exists()


def test_course_vanishes_from_listings_for_an_outsider(client, course, outsider, member):
    other = factories.course(title="公开课程", kind=CourseKind.ELECTIVE, lessons=1)
    index = course.get_parent()
    client.force_login(outsider)
    html = client.get(index.url).content.decode()
    assert "公开课程" in html and "内部专题课程" not in html
    assert {c.pk for c in selectors.course_list(user=outsider)} == {other.pk}
    assert course.pk in {c.pk for c in selectors.course_list(user=member)}
    assert client.get(course.url).status_code in (302, 403, 404)  # Wagtail's own privacy check on the page


def test_dashboard_hides_an_assigned_course_restricted_later(client, course, outsider, member, group):
    # Enrolled before the restriction existed (e.g. assigned): the dashboard no longer shows it.
    Enrolment.objects.create(user=outsider, course=course, year=timezone.localdate().year, source="assigned")
    Enrolment.objects.create(user=member, course=course, year=timezone.localdate().year, source="assigned")
    assert [p.enrolment.course_id for p in selectors.dashboard_courses(user=outsider)] == []
    assert [p.enrolment.course_id for p in selectors.dashboard_courses(user=member)] == [course.pk]
    client.force_login(outsider)
    assert "内部专题课程" not in client.get("/").content.decode()


def test_password_restriction_needs_the_session_to_have_entered_it(client, outsider):
    page = factories.course(title="密码课程", kind=CourseKind.ELECTIVE, lessons=1)
    restriction = PageViewRestriction.objects.create(
        page=page, restriction_type=PageViewRestriction.PASSWORD, password="mima-2026"
    )
    lesson = page.get_children().specific().first()
    client.force_login(outsider)
    factories.enrol(user=outsider, course=page)
    assert _beat(client, lesson).status_code == 404
    session = client.session
    session[PageViewRestriction.passed_view_restrictions_session_key] = [restriction.pk]
    session.save()
    assert _beat(client, lesson).status_code == 200


def test_login_restriction_admits_any_signed_in_cadre(outsider):
    page = factories.course(title="登录课程", lessons=1)
    PageViewRestriction.objects.create(page=page, restriction_type=PageViewRestriction.LOGIN)
    assert access.page_visible_to(outsider, page)
