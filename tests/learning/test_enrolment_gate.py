"""Study is credited only once the cadre is enrolled (learning.selectors.is_enrolled): the heartbeat service
and API, course completion, the dashboard's 继续学习 and the lesson page (enrol an elective / not assigned)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.factories import cadre
from core.models import StudyClock
from learning import factories, selectors, services
from learning.models import CourseKind, Enrolment, EnrolmentSource, LessonProgress

pytestmark = pytest.mark.django_db

T0 = timezone.now().replace(microsecond=0)


@pytest.fixture
def elective():
    return factories.course(title="选修课程甲", kind=CourseKind.ELECTIVE, lessons=2, minutes=1)


@pytest.fixture
def required():
    return factories.course(title="必修课程乙", kind=CourseKind.REQUIRED, lessons=1, minutes=1)


def beat_url(lesson):
    return f"/api/v1/lessons/{lesson.pk}/heartbeat"


def test_service_refuses_a_beat_without_enrolment_and_records_nothing(elective):
    user = cadre()
    lesson = elective.lessons().first()
    for second in (0, 15, 30):
        with pytest.raises(services.NotEnrolled):
            services.lesson_heartbeat(user=user, lesson=lesson, now=T0 + timedelta(seconds=second))
    assert not LessonProgress.objects.filter(user=user).exists()
    assert not StudyClock.objects.filter(user=user, page_id__isnull=False).exists()  # the clock was not taken
    assert selectors.continue_lesson(user=user) is None


def test_enrolled_cadre_is_credited(elective):
    user = cadre()
    lesson = elective.lessons().first()
    services.enrolment_self_create(user=user, course=elective)
    services.lesson_heartbeat(user=user, lesson=lesson, now=T0)
    assert services.lesson_heartbeat(user=user, lesson=lesson, now=T0 + timedelta(seconds=15)).credited_seconds == 15


def test_an_enrolment_of_an_earlier_year_still_counts(required):
    user = cadre()
    factories.enrol(user=user, course=required, year=T0.year - 1)
    lesson = required.lessons().first()
    services.lesson_heartbeat(user=user, lesson=lesson, now=T0)
    assert LessonProgress.objects.filter(user=user, lesson=lesson).exists()


def test_api_refuses_with_403_and_a_reason_until_enrolled(client, elective):
    user = cadre()
    client.force_login(user)
    lesson = elective.lessons().first()
    response = client.post(beat_url(lesson), {}, content_type="application/json")
    assert response.status_code == 403 and "尚未选学" in response.json()["detail"]
    assert not LessonProgress.objects.filter(user=user).exists()
    client.post(f"/learning/courses/{elective.pk}/enrol/")
    response = client.post(beat_url(lesson), {}, content_type="application/json")
    assert response.status_code == 200 and response.json()["counting"] is True
    assert LessonProgress.objects.filter(user=user, lesson=lesson).exists()


def test_required_course_not_assigned_cannot_be_self_enrolled_nor_credited(client, required):
    user = cadre()
    client.force_login(user)
    lesson = required.lessons().first()
    client.post(f"/learning/courses/{required.pk}/enrol/")
    assert not Enrolment.objects.filter(user=user).exists()
    assert client.post(beat_url(lesson), {}, content_type="application/json").status_code == 403


def test_completion_needs_an_enrolment(elective):
    user = cadre()
    for lesson in elective.lessons():
        LessonProgress.objects.create(user=user, lesson=lesson, course=elective, completed_at=T0)
    assert services.course_completion_evaluate(user=user, course=elective) is None
    assert not Enrolment.objects.filter(user=user).exists()
    factories.enrol(user=user, course=elective)
    assert services.course_completion_evaluate(user=user, course=elective) is not None


def test_continue_lesson_ignores_progress_in_a_course_not_enrolled(elective, required):
    user = cadre()
    # A progress row left from before the rule (or a course whose enrolment was removed).
    LessonProgress.objects.create(user=user, lesson=required.lessons().first(), course=required, last_seen_at=T0)
    assert selectors.continue_lesson(user=user) is None
    factories.enrol(user=user, course=required)
    assert selectors.continue_lesson(user=user).lesson_id == required.lessons().first().pk


def test_lesson_page_of_an_elective_offers_enrolment_and_does_not_beat(client, elective):
    client.force_login(cadre())
    html = client.get(elective.lessons().first().url).content.decode()
    assert "选学本课程并开始学习" in html and 'name="next"' in html
    assert "js/lesson.js" not in html and "data-heartbeat-url" not in html


def test_lesson_page_of_a_required_course_says_it_is_not_assigned(client, required):
    client.force_login(cadre())
    html = client.get(required.lessons().first().url).content.decode()
    assert "本课程尚未指派给您" in html and "选学本课程" not in html
    assert "js/lesson.js" not in html


def test_lesson_page_of_an_enrolled_course_counts(client, required):
    user = cadre()
    factories.enrol(user=user, course=required)
    client.force_login(user)
    html = client.get(required.lessons().first().url).content.decode()
    assert "data-heartbeat-url" in html and "js/lesson.js" in html and "enrol-gate" not in html


def test_enrolling_from_a_lesson_twice_gives_one_enrolment_and_returns_to_the_lesson(client, elective):
    user = cadre()
    client.force_login(user)
    lesson = elective.lessons().first()
    for _click in range(2):
        response = client.post(f"/learning/courses/{elective.pk}/enrol/", {"next": lesson.url})
        assert response.status_code == 302 and response["Location"] == lesson.url
    enrolment = Enrolment.objects.get(user=user, course=elective)
    assert enrolment.source == EnrolmentSource.SELF and enrolment.due_date is None


def test_enrol_ignores_a_next_address_on_another_site(client, elective):
    client.force_login(cadre())
    response = client.post(f"/learning/courses/{elective.pk}/enrol/", {"next": "https://evil.example/x"})
    assert response["Location"] == elective.url


def test_the_heartbeats_one_read_agrees_with_is_enrolled(elective, required):
    """The API reads the lesson with `beat_enrolled` and `beat_cadre` (selectors.lesson_for_beat): the same
    answers as is_enrolled and the cadre record, for the lesson's own course, another course and nobody."""
    from accounts import roles
    from accounts.factories import staff

    learner, editor = cadre(), staff(roles.EDITOR)
    factories.enrol(user=learner, lesson=elective.lessons().first())
    for lesson in [*elective.lessons(), *required.lessons()]:
        for user in (learner, editor):
            found = selectors.lesson_for_beat(user=user, lesson_id=lesson.pk)
            assert found.pk == lesson.pk
            assert found.beat_enrolled == selectors.is_enrolled(user=user, lesson=lesson)
            assert found.beat_cadre == (user is learner)
    assert selectors.lesson_for_beat(user=learner, lesson_id=required.pk) is None  # a course is no lesson


def test_a_steady_beat_over_http_costs_few_statements(client, elective):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    learner = cadre()
    lesson = elective.lessons().first()
    factories.enrol(user=learner, lesson=lesson)
    client.force_login(learner)
    assert client.post(beat_url(lesson), {}, content_type="application/json").status_code == 200
    with CaptureQueriesContext(connection) as ctx:
        assert client.post(beat_url(lesson), {}, content_type="application/json").status_code == 200
    statements = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    # The user, the lesson (with the enrolment and the cadre record), then the service's own reads and writes.
    assert len(statements) <= 9, statements  # 11 when the lesson, enrolment and cadre record were three reads
