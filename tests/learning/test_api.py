"""POST /api/v1/lessons/{id}/heartbeat: auth, CSRF, 4xx with reasons, completion in the same response."""

import pytest
from django.test import Client

from accounts import roles
from accounts.factories import cadre, staff
from learning import factories
from learning.models import LessonProgress

pytestmark = pytest.mark.django_db


def url(lesson):
    return f"/api/v1/lessons/{lesson.pk}/heartbeat"


@pytest.fixture
def lesson():
    return factories.lesson(course=factories.course(), minutes=1, video_seconds=60)


def test_session_beat_needs_csrf(lesson):
    user = cadre()
    factories.enrol(user=user, lesson=lesson)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(url(lesson), {}, content_type="application/json").status_code in (401, 403)
    strict.get(lesson.url)  # sets the CSRF cookie
    token = strict.cookies["csrftoken"].value
    response = strict.post(url(lesson), {}, content_type="application/json", headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["counting"] is True and body["required_seconds"] == 48 and body["video_required_seconds"] == 54


def test_anonymous_is_refused(client, lesson):
    assert client.post(url(lesson), {}, content_type="application/json").status_code == 401


def test_non_cadre_gets_403_with_reason(client, lesson):
    client.force_login(staff(roles.EDITOR))
    response = client.post(url(lesson), {}, content_type="application/json")
    assert response.status_code == 403 and response.json()["detail"]


def test_unknown_or_draft_lesson_is_404(client, lesson):
    client.force_login(cadre())
    assert client.post("/api/v1/lessons/999999/heartbeat", {}, content_type="application/json").status_code == 404
    draft = factories.lesson(course=lesson.get_parent().specific, live=False)
    assert client.post(url(draft), {}, content_type="application/json").status_code == 404


def test_bad_payloads_are_4xx(client, lesson):
    user = cadre()
    factories.enrol(user=user, lesson=lesson)
    client.force_login(user)
    assert client.post(url(lesson), {"videos": {"nope": [[0, 1]]}}, content_type="application/json").status_code == 400
    assert client.post(url(lesson), {"videos": "x"}, content_type="application/json").status_code == 422
    assert client.post(url(lesson), "not json", content_type="application/json").status_code in (400, 422)
    assert client.post(url(lesson), {"position": -5}, content_type="application/json").status_code == 422


def test_beats_record_progress_and_position(client, lesson):
    user = cadre()
    factories.enrol(user=user, lesson=lesson)
    client.force_login(user)
    video_id = next(iter(lesson.videos))
    client.post(url(lesson), {"position": 3}, content_type="application/json")
    progress = LessonProgress.objects.get(user=user, lesson=lesson)
    assert progress.video_position == 3
    assert progress.time_seconds == 0  # a beat right after another earns only the wall time between them
    response = client.post(url(lesson), {"videos": {video_id: [[0, 2]]}}, content_type="application/json")
    assert response.json()["lesson_completed"] is False


def test_the_completing_beat_returns_the_certificate(client):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import StudyClock
    from learning.models import Certificate, CreditLedger

    course = factories.course(hours="0.5")
    lesson = factories.lesson(course=course, minutes=1)
    user = cadre()
    factories.enrol(user=user, course=course)
    client.force_login(user)
    LessonProgress.objects.create(user=user, lesson=lesson, course=course, time_seconds=lesson.required_seconds - 10)
    # The lesson holds the cadre's study clock (one item at a time, lessons and cases: core.study_clock).
    StudyClock.objects.create(user=user, page_id=lesson.pk, last_beat_at=timezone.now() - timedelta(seconds=15))
    body = client.post(url(lesson), {}, content_type="application/json").json()
    assert body["lesson_completed"] and body["course_completed"]
    code = Certificate.objects.get(user=user, course=course).code
    assert body["certificate_url"] == f"/learning/certificates/{code}.pdf"
    assert CreditLedger.objects.get(user=user).hours == 0.5
    again = client.post(url(lesson), {}, content_type="application/json").json()
    assert again["course_completed"] and again["certificate_url"] == body["certificate_url"]
    assert CreditLedger.objects.filter(user=user).count() == 1
