"""课程中心 as a catalogue: the cadre's own status and progress per course, filters by topic and status, a search
box that finds Chinese words inside titles and introductions."""

import pytest
from django.utils import timezone

from accounts.factories import cadre
from learning import factories, selectors
from learning.models import CourseKind, Enrolment, LessonProgress, Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    user = cadre()
    started = factories.course(title="主动接受监督：破解一把手监督难题", topic="监督观", lessons=2)
    fresh = factories.course(title="树立正确政绩观", topic="政绩观", lessons=1)
    fresh.introduction = "<p>为民造福。</p>"
    fresh.save()
    elective = factories.course(title="中央八项规定精神", topic="作风建设", kind=CourseKind.ELECTIVE, lessons=1)
    year = timezone.localdate().year
    for course in (started, fresh):
        Enrolment.objects.create(user=user, course=course, year=year, source="assigned", due_date=None)
    LessonProgress.objects.create(
        user=user, lesson=started.lessons().first(), course=started, completed_at=timezone.now()
    )
    return user, started, fresh, elective


def statuses(rows):
    return {row.course.title: (row.status, row.lessons_done, row.lessons_total, row.percent) for row in rows}


def test_each_course_carries_the_cadres_own_status_and_progress(world):
    user, started, fresh, elective = world
    rows = statuses(selectors.course_catalogue(user=user))
    assert rows[started.title] == ("in_progress", 1, 2, 50)
    assert rows[fresh.title] == ("not_started", 0, 1, 0)
    assert rows[elective.title][0] == "not_enrolled"
    # The same rule as the dashboard: one status per enrolment.
    dash = {row.enrolment.course_id: row.status for row in selectors.dashboard_courses(user=user)}
    assert dash[started.pk] == rows[started.title][0] and dash[fresh.pk] == rows[fresh.title][0]


def test_filters_by_topic_status_and_chinese_words(world):
    user, started, fresh, elective = world
    titles = lambda **kw: [r.course.title for r in selectors.course_catalogue(user=user, **kw)]  # noqa: E731
    topic = Topic.objects.get(name="政绩观")
    assert titles(topic_id=str(topic.pk)) == [fresh.title]
    assert titles(status="in_progress") == [started.title]
    assert titles(status="not_enrolled") == [elective.title]
    assert titles(q="监督") == [started.title]  # a word inside an unbroken run of Chinese
    assert titles(q="造福") == [fresh.title]  # found in the introduction
    assert titles(q="监督 一把手") == [started.title] and titles(q="监督 八项") == []  # every word must appear
    assert titles(status="bogus") == titles()  # an unknown status filters nothing


def test_catalogue_page_shows_cover_summary_hours_kind_topic_and_status(client, world):
    user, started, fresh, elective = world
    client.force_login(user)
    index = started.get_parent()
    html = client.get(index.url).content.decode()
    assert "共 3 门课程" in html
    assert "主动接受监督" in html and "为民造福" in html and "2 学时" in html
    assert "必修" in html and "选修" in html and "监督观" in html
    assert 'data-status="in_progress"' in html and "课时 1/2" in html and "未选课" in html
    assert 'name="q"' in html and 'name="topic"' in html and 'name="status"' in html
    html = client.get(index.url, {"q": "政绩", "status": "not_started"}).content.decode()
    assert "共 1 门课程" in html and "树立正确政绩观" in html and "中央八项规定" not in html
    html = client.get(index.url, {"q": "没有这门课"}).content.decode()
    assert "没有符合条件的课程" in html
