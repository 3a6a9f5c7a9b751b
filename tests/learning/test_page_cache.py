"""Cached dashboard panels and lesson bodies: every write that changes what they show is visible on the next request.

Each test first renders the page (so the fragment is cached), then writes through the service
that real users go through, then asserts the next response shows the change. Removing the
generation bump of that write path makes the test fail with the stale fragment.
"""

from datetime import date, timedelta
from unittest import mock

import pytest
from django.utils import timezone

from accounts.factories import cadre, org_unit, trainer
from accounts.models import CadreProfile, TrainingTargets
from accounts.roles import Rank
from learning import factories, services
from learning.models import CourseKind, Enrolment

pytestmark = pytest.mark.django_db

UNIT = "某省/甲市/东山县/交通运输局"


def page(client, url="/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def learner(client):
    user = cadre(unit=UNIT, rank=Rank.TOWNSHIP)
    client.force_login(user)
    # The first visit sets the CSRF cookie, whose secret is part of the dashboard's key: without this the
    # second request of a test would miss the cache for that reason alone and prove nothing.
    client.get("/")
    assert client.cookies.get("csrftoken")
    return user


def test_heartbeat_completing_a_lesson_updates_the_dashboard(client, learner):
    course = factories.course(title="监督课程", lessons=2, minutes=1)
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    lesson = course.lessons().first()
    t0 = timezone.now()
    factories.enrol(user=learner, lesson=lesson)
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0)
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0 + timedelta(seconds=30))
    assert "课时 0/2" in page(client)
    # The progress row exists: this beat only UPDATEs it (no model signal), and completes the lesson.
    result = services.lesson_heartbeat(user=learner, lesson=lesson, now=t0 + timedelta(seconds=60))
    assert result.lesson_completed_now
    html = page(client)
    assert "课时 1/2" in html and "课时 0/2" not in html


def test_continue_link_follows_the_last_lesson_studied(client, learner):
    course = factories.course(lessons=2)
    first, second = course.lessons()
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    t0 = timezone.now()
    factories.enrol(user=learner, lesson=first)
    services.lesson_heartbeat(user=learner, lesson=first, now=t0)
    factories.enrol(user=learner, lesson=second)
    services.lesson_heartbeat(user=learner, lesson=second, now=t0 + timedelta(minutes=5))
    assert f"继续学习：{second.title}" in page(client)
    services.lesson_heartbeat(user=learner, lesson=first, now=t0 + timedelta(minutes=10))  # an UPDATE only
    assert f"继续学习：{first.title}" in page(client)


def test_beats_on_the_lesson_the_dashboard_shows_keep_it_cached(learner):
    """A cadre studying sends a beat every 15 s: only beats that change the dashboard may clear it."""
    from core import cache

    course = factories.course(lessons=2, minutes=10)
    first, second = course.lessons()
    t0 = timezone.now()
    factories.enrol(user=learner, lesson=first)
    services.lesson_heartbeat(user=learner, lesson=first, now=t0)
    before = cache.generations(cache.user_key(learner.pk))
    for n in range(1, 4):
        services.lesson_heartbeat(user=learner, lesson=first, now=t0 + timedelta(seconds=15 * n))
    assert cache.generations(cache.user_key(learner.pk)) == before
    factories.enrol(user=learner, lesson=second)
    services.lesson_heartbeat(user=learner, lesson=second, now=t0 + timedelta(minutes=5))  # switched lessons
    assert cache.generations(cache.user_key(learner.pk)) != before


def test_case_read_beats_clear_the_dashboard_only_when_the_case_counts_as_read(learner, home_page):
    from cases import services as case_services
    from cases.factories import CaseIndexPageFactory, CaseStudyPageFactory
    from cases.models import read_threshold_seconds
    from core import cache

    case = CaseStudyPageFactory(parent=CaseIndexPageFactory(parent=home_page))
    t0 = timezone.now()
    case_services.case_read_record(user=learner, case=case, seconds=0, now=t0)
    before = cache.generations(cache.user_key(learner.pk))
    case_services.case_read_record(user=learner, case=case, seconds=5, now=t0 + timedelta(seconds=5))
    assert cache.generations(cache.user_key(learner.pk)) == before
    elapsed, t = 5, t0 + timedelta(seconds=5)
    while elapsed < read_threshold_seconds():
        t += timedelta(seconds=30)
        elapsed += case_services.case_read_record(user=learner, case=case, seconds=30, now=t).seconds_visible - elapsed
    assert cache.generations(cache.user_key(learner.pk)) != before


def test_course_completion_credits_hours_on_the_dashboard(client, learner):
    course = factories.course(title="学时课程", lessons=1, minutes=1, hours="3")
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    lesson = course.lessons().first()
    t0 = timezone.now()
    factories.enrol(user=learner, lesson=lesson)
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0)
    assert "已获 <strong>0</strong>" in page(client)
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0 + timedelta(seconds=30))
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0 + timedelta(seconds=60))
    html = page(client)
    assert "已获 <strong>3</strong>" in html and "已完成" in html


def test_self_enrolment_shows_at_once(client, learner):
    course = factories.course(title="选修课程甲", kind=CourseKind.ELECTIVE, lessons=1)
    assert "选修课程甲" not in page(client)
    services.enrolment_self_create(user=learner, course=course)
    assert "选修课程甲" in page(client)


def test_assignment_widened_to_another_unit_reaches_its_cadres(client, learner):
    by = trainer("某省/甲市")
    course = factories.course(title="新指派课程", lessons=1)
    year = timezone.localdate().year
    assignment = services.assignment_create(
        by=by,
        course=course,
        org_units=[org_unit("某省/甲市/西河县")],
        ranks=None,
        year=year,
        due_date=date(year, 12, 31),
    )
    assert "新指派课程" not in page(client)
    # The trainer adds the learner's county: enrolments are bulk-created, no model signal fires.
    assignment.org_units.add(org_unit("某省/甲市/东山县"))
    assert services.assignment_sync(assignment=assignment) == 1
    assert "新指派课程" in page(client)


def test_unpublished_lesson_leaves_the_course_total(client, learner):
    course = factories.course(lessons=3)
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    assert "课时 0/3" in page(client)
    course.lessons().last().unpublish()
    assert "课时 0/2" in page(client)


def test_course_title_change_shows_on_the_dashboard(client, learner):
    course = factories.course(title="旧课程名", lessons=1)
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    assert "旧课程名" in page(client)
    course.title = "新课程名"
    course.save_revision().publish()
    html = page(client)
    assert "新课程名" in html and "旧课程名" not in html


def test_rank_change_and_target_change_show_on_the_profile_panel(client, learner):
    targets = TrainingTargets.load()
    targets.target_township, targets.target_county = 50, 80
    targets.save()
    assert "/ 50 学时" in page(client)
    profile = CadreProfile.objects.get(user=learner)
    profile.rank = Rank.COUNTY
    profile.save()
    assert "/ 80 学时" in page(client)
    targets = TrainingTargets.load()
    targets.target_county = 90
    targets.save()
    assert "/ 90 学时" in page(client)


def test_unit_rename_shows_on_the_profile_panel(client, learner):
    from accounts import services as account_services

    assert "交通运输局" in page(client)
    unit = org_unit(UNIT)
    account_services.org_unit_update(unit=unit, name="交通局", parent=unit.get_parent())
    html = page(client)
    assert "东山县/交通局" in html and "交通运输局" not in html


def test_overdue_mark_appears_when_the_day_turns(client, learner):
    today = timezone.localdate()
    course = factories.course(title="明日截止", lessons=1)
    Enrolment.objects.create(user=learner, course=course, year=today.year, source="assigned", due_date=today)
    assert "status-overdue" not in page(client)
    with mock.patch("django.utils.timezone.localdate", return_value=today + timedelta(days=1)):
        assert "status-overdue" in page(client)


def test_role_granted_shows_in_the_navigation(client, learner):
    from accounts import roles
    from accounts import services as account_services

    assert "课程指派" not in page(client)
    account_services.user_set_roles(user=learner, role_names=[roles.CADRE, roles.TRAINER])
    assert "课程指派" in page(client)


def test_dashboards_are_per_user(client, learner):
    other = cadre(unit=UNIT)
    course = factories.course(title="只给甲的课", lessons=1)
    Enrolment.objects.create(user=learner, course=course, year=timezone.localdate().year, source="self")
    assert "只给甲的课" in page(client)
    client.force_login(other)
    assert "只给甲的课" not in page(client)


# --- lesson page ---------------------------------------------------------------------------


def test_republished_lesson_body_shows_at_once(client, learner):
    course = factories.course(lessons=0)
    lesson = factories.lesson(course=course, text="<p>第一版正文。</p>")
    assert "第一版正文" in page(client, lesson.url)
    lesson.body = [("text", "<p>第二版正文。</p>")]
    lesson.save_revision().publish()
    html = page(client, lesson.url)
    assert "第二版正文" in html and "第一版正文" not in html


def test_lesson_page_renders_no_progress_the_first_heartbeat_answers_with_it(client, learner):
    """The page carries no per-beat numbers (so its parts can be cached); the beat the page sends on load
    answers with the study time, watched time, video position and completion."""
    lesson = factories.lesson(course=factories.course(), minutes=1)
    t0 = timezone.now()
    factories.enrol(user=learner, lesson=lesson)
    services.lesson_heartbeat(user=learner, lesson=lesson, now=t0)
    services.lesson_heartbeat(user=learner, lesson=lesson, position=42.5, now=t0 + timedelta(seconds=20))
    html = page(client, lesson.url)
    assert '<strong data-role="time">—</strong>' in html and "data-position" not in html
    beat = client.post(f"/api/v1/lessons/{lesson.pk}/heartbeat", {}, content_type="application/json")
    assert beat.status_code == 200
    data = beat.json()
    assert data["time_seconds"] >= 20 and data["video_position"] == 42.5 and data["lesson_completed"] is False


def test_draft_saves_and_autosaves_leave_the_global_generation_alone(client, learner):
    """An editor at work saves the page row over and over (Wagtail's autosave): cadres' caches stay warm.
    Only publishing changes what they see."""
    from core import cache

    lesson = factories.lesson(course=factories.course(), text="<p>已发布正文。</p>")
    assert "已发布正文" in page(client, lesson.url)
    before = cache.generations(cache.GLOBAL)
    for n in range(3):
        lesson.body = [("text", f"<p>草稿{n}。</p>")]
        lesson.save_revision()  # as the admin's autosave: the Page row is saved (post_save), nothing published
    assert cache.generations(cache.GLOBAL) == before
    html = page(client, lesson.url)
    assert "已发布正文" in html and "草稿" not in html
    lesson.get_latest_revision().publish()
    assert cache.generations(cache.GLOBAL) != before
    assert "草稿2" in page(client, lesson.url)


def test_referenced_case_follows_its_title_and_the_readers_rank(client, learner, home_page):
    from cases import services as case_services
    from cases.factories import CaseStudyPageFactory

    index = case_services.case_index_ensure(parent=home_page)
    case = CaseStudyPageFactory(parent=index, title="案例旧标题", min_rank=Rank.COUNTY)
    lesson = factories.lesson(course=factories.course(), case=case)
    assert "暂不对您开放" in page(client, lesson.url)  # a township cadre may not open a county-level case
    senior = cadre(unit=UNIT, rank=Rank.COUNTY)
    client.force_login(senior)
    assert "案例旧标题" in page(client, lesson.url)
    case.title = "案例新标题"
    case.save_revision().publish()
    assert "案例新标题" in page(client, lesson.url)
    client.force_login(learner)
    assert "暂不对您开放" in page(client, lesson.url)


def test_routing_in_one_query_keeps_wagtail_semantics(client, learner):
    course = factories.course(lessons=1)
    lesson = course.lessons().first()
    assert client.get(lesson.url).status_code == 200
    assert client.get(lesson.url + "nothing-here/").status_code == 404
    assert client.get(course.url + "no-such-lesson/").status_code == 404
    draft = factories.lesson(course=course, live=False)
    assert client.get(course.url + draft.slug + "/").status_code == 404
    course.slug = "renamed-course"
    course.save_revision().publish()
    lesson.refresh_from_db()
    assert lesson.url.endswith("/renamed-course/" + lesson.slug + "/")
    assert client.get(lesson.url).status_code == 200


def test_lesson_outline_follows_new_lessons_and_course_title(client, learner):
    course = factories.course(title="大纲课程", lessons=2)
    first = course.lessons().first()
    html = page(client, first.url)
    assert "第 1 / 2 课时" in html and "大纲课程" in html
    factories.lesson(course=course, title="新增课时")
    course.title = "大纲课程（修订）"
    course.save_revision().publish()
    html = page(client, first.url)
    assert "第 1 / 3 课时" in html and "大纲课程（修订）" in html


def test_cached_site_root_follows_home_page_edits(client, home_page):
    """The home page is rendered per request; only its dashboard fragment is cached."""
    home_page.intro = "<p>第一版欢迎语</p>"
    home_page.save_revision().publish()
    assert "第一版欢迎语" in page(client)
    home_page.refresh_from_db()
    home_page.intro = "<p>第二版欢迎语</p>"
    home_page.save_revision().publish()
    html = page(client)
    assert "第二版欢迎语" in html and "第一版欢迎语" not in html
