"""services.enrolment_self_create and the enrol button."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client

from accounts.factories import cadre
from learning import factories, services
from learning.models import CourseKind, Enrolment


@pytest.mark.django_db
def test_double_click_gives_one_enrolment(client):
    course = factories.course(lessons=1, kind=CourseKind.ELECTIVE)
    user = cadre()
    client.force_login(user)
    url = f"/learning/courses/{course.pk}/enrol/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    assert Enrolment.objects.filter(user=user, course=course).count() == 1
    assert Enrolment.objects.get(user=user).source == "self"


@pytest.mark.django_db
def test_required_courses_are_not_self_enrolled():
    course = factories.course(lessons=1, kind=CourseKind.REQUIRED)
    with pytest.raises(ValidationError):
        services.enrolment_self_create(user=cadre(), course=course)


@pytest.mark.django_db
def test_enrol_needs_post_and_login(client):
    course = factories.course(lessons=1, kind=CourseKind.ELECTIVE)
    assert client.post(f"/learning/courses/{course.pk}/enrol/").status_code == 302  # to login
    user = cadre()
    client.force_login(user)
    assert client.get(f"/learning/courses/{course.pk}/enrol/").status_code == 405
    assert not Enrolment.objects.exists()


@pytest.mark.django_db
def test_enrol_needs_csrf():
    course = factories.course(lessons=1, kind=CourseKind.ELECTIVE)
    user = cadre()
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(user)
    assert strict.post(f"/learning/courses/{course.pk}/enrol/").status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_simultaneous_double_click_gives_one_enrolment():
    course = factories.course(lessons=1, kind=CourseKind.ELECTIVE)
    user = cadre()
    barrier = threading.Barrier(5)
    errors = []

    def worker():
        try:
            barrier.wait()
            services.enrolment_self_create(user=user, course=course)
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Enrolment.objects.filter(user=user, course=course).count() == 1
