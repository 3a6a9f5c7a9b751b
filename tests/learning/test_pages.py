"""Page types, dashboard panel, archive, certificates and the public verification page."""

from datetime import date, timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from wagtail.test.utils import WagtailPageTestCase

from accounts.factories import cadre, trainer
from core.models import HomePage
from learning import factories, services
from learning.models import CourseIndexPage, CourseKind, CoursePage, Enrolment, LessonPage, LessonProgress


class PageTypeTests(WagtailPageTestCase):
    def test_where_pages_live(self):
        self.assertCanCreateAt(HomePage, CourseIndexPage)
        self.assertCanNotCreateAt(HomePage, CoursePage)
        self.assertAllowedSubpageTypes(CourseIndexPage, {CoursePage})
        self.assertAllowedSubpageTypes(CoursePage, {LessonPage})
        self.assertAllowedSubpageTypes(LessonPage, set())
        self.assertAllowedParentPageTypes(LessonPage, {CoursePage})

    def test_pages_render(self):
        course = factories.course(lessons=0)
        lesson = factories.lesson(course=course, video_seconds=30)
        self.client.force_login(cadre())  # (Wagtail's `user=` argument picks the first backend: axes')
        for page in (course.get_parent(), course, lesson):
            self.assertPageIsRenderable(page)

    def test_anonymous_visitors_log_in_first(self):
        course = factories.course(lessons=1)
        for page in (course.get_parent(), course, course.lessons().first()):
            response = self.client.get(page.url)
            self.assertEqual(response.status_code, 302, page)
            self.assertEqual(response["Location"], f"{reverse('accounts:login')}?next={page.url}")


pytestmark = pytest.mark.django_db


def finish(user, course, when=None):
    factories.enrol(user=user, course=course)
    when = when or timezone.now()
    for lesson in course.lessons():
        LessonProgress.objects.update_or_create(
            user=user, lesson=lesson, defaults={"course_id": course.pk, "completed_at": when}
        )
    return services.course_completion_evaluate(user=user, course=course, now=when)


def test_lesson_page_has_no_inline_script_and_loads_lesson_js(client):
    lesson = factories.lesson(course=factories.course(), video_seconds=30)
    user = cadre()
    factories.enrol(user=user, lesson=lesson)
    client.force_login(user)
    html = client.get(lesson.url).content.decode()
    assert "js/lesson.js" in html and "<video" in html and 'data-video-id="' in html
    assert "<script>" not in html and "style=" not in html


def test_dashboard_shows_assigned_courses_overdue_and_hours(client):
    user = cadre(unit="某省/甲市/东山县/交通运输局")
    overdue = factories.course(title="逾期必修课", lessons=2)
    done = factories.course(title="已完成课程", lessons=1, hours="3")
    year = timezone.localdate().year
    Enrolment.objects.create(
        user=user, course=overdue, year=year, source="assigned", due_date=timezone.localdate() - timedelta(days=1)
    )
    finish(user, done)
    client.force_login(user)
    html = client.get("/").content.decode()
    assert "逾期必修课" in html and "status-overdue" in html and "已完成课程" in html
    assert "已获 <strong>3</strong>" in html


def _query_counts(client, url) -> tuple[int, int]:
    """Queries of `url` with nothing cached, then served from the fragment cache (after a first visit that sets
    the CSRF cookie and creates the settings rows)."""
    client.get(url)
    cache.clear()
    with CaptureQueriesContext(connection) as cold:
        assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as warm:
        assert client.get(url).status_code == 200
    return len(cold), len(warm)


def test_dashboard_and_lesson_page_queries_do_not_grow_with_data(client):
    user = cadre()
    client.force_login(user)
    course = factories.course(lessons=2)
    lesson = course.lessons().first()
    Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
    factories.enrol(user=user, lesson=lesson)
    services.lesson_heartbeat(user=user, lesson=lesson)
    small_dash, small_lesson = _query_counts(client, "/"), _query_counts(client, lesson.url)
    for n in range(6):
        extra = factories.course(title=f"课程{n}", lessons=3)
        Enrolment.objects.create(
            user=user, course=extra, year=timezone.localdate().year, source="self", due_date=date(2020, 1, 1)
        )
        for other in extra.lessons():
            factories.enrol(user=user, lesson=other)
            services.lesson_heartbeat(user=user, lesson=other, now=timezone.now() + timedelta(minutes=5 * n))
        finish(cadre(), extra)
    factories.lesson(course=course)
    assert _query_counts(client, "/") == small_dash
    assert _query_counts(client, lesson.url) == small_lesson
    # Served from the cache, the dashboard needs only the session, the user, the site, the page and the stamps.
    assert small_dash[1] < small_dash[0] and small_lesson[1] < small_lesson[0]


def test_certificate_pdf_and_public_verification(client):
    user = cadre(unit="某省/甲市/东山县/交通运输局", user__name="王建国")
    course = factories.course(title="正确行使权力", lessons=1)
    enrolment = finish(user, course)
    code = enrolment.certificate.code
    client.force_login(user)
    pdf = client.get(reverse("learning:certificate_pdf", args=[code]))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and b"WenQuanYiZenHei" in pdf.content
    client.logout()
    page = client.get(f"/verify/{code}/")
    html = page.content.decode()
    assert page.status_code == 200 and "王建国" in html and "正确行使权力" in html and "证书有效" in html
    assert "东山县" not in html and user.cadre_profile.employee_no not in html
    assert client.get(f"/verify/{code.lower()}/").status_code == 200
    assert client.get("/verify/MJ-NOPE-NOPE-NOPE/").status_code == 404


def test_certificate_pdf_is_private(client):
    owner = cadre(unit="某省/甲市/东山县/交通运输局")
    enrolment = finish(owner, factories.course(lessons=1))
    url = reverse("learning:certificate_pdf", args=[enrolment.certificate.code])
    client.force_login(cadre(unit="某省/甲市/东山县/交通运输局"))
    assert client.get(url).status_code == 404
    client.force_login(trainer("某省/乙市"))
    assert client.get(url).status_code == 404
    client.force_login(trainer("某省/甲市"))
    assert client.get(url).status_code == 200


def test_archive_for_cadre_and_trainer_in_scope(client):
    owner = cadre(unit="某省/甲市/东山县/交通运输局", user__name="李志强")
    finish(owner, factories.course(title="政绩观专题", lessons=1, hours="2"))
    client.force_login(owner)
    html = client.get(reverse("learning:archive")).content.decode()
    assert "政绩观专题" in html and "学时（按年度）" in html
    pdf = client.get(reverse("learning:archive_pdf"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(trainer("某省/甲市/东山县"))
    assert "李志强" in client.get(reverse("learning:cadre_archive", args=[owner.pk])).content.decode()
    client.force_login(trainer("某省/甲市/西河县"))
    assert client.get(reverse("learning:cadre_archive", args=[owner.pk])).status_code == 404
    assert client.get(reverse("learning:cadre_archive_pdf", args=[owner.pk])).status_code == 404
    client.force_login(cadre(unit="某省/甲市/东山县/交通运输局"))
    assert client.get(reverse("learning:cadre_archive", args=[owner.pk])).status_code == 404


def test_course_page_offers_enrolment_for_electives_only(client):
    elective = factories.course(title="选修课", kind=CourseKind.ELECTIVE, lessons=1)
    required = factories.course(title="必修课", lessons=1)
    client.force_login(cadre())
    assert "选学本课程" in client.get(elective.url).content.decode()
    assert "选学本课程" not in client.get(required.url).content.decode()
