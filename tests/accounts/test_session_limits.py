"""Session limits: idle timeout (shorter for staff), absolute lifetime, one session per cadre (option)."""

import time

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts import roles
from accounts.factories import TEST_PASSWORD, cadre, staff
from accounts.middleware import LAST_SEEN, SIGNED_IN_AT

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def signed_in(user) -> Client:
    client = Client()
    assert client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD}).status_code == 302
    return client


def age(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


def is_signed_in(client) -> bool:
    response = client.get("/learning/")
    return not (response.status_code == 302 and response.url.startswith(LOGIN))


@override_settings(SESSION_IDLE_TIMEOUT=1800, SESSION_IDLE_TIMEOUT_STAFF=900)
def test_idle_timeout_is_shorter_for_staff():
    learner, editor = signed_in(cadre()), signed_in(staff(roles.EDITOR))
    age(learner, **{LAST_SEEN: 1000})
    age(editor, **{LAST_SEEN: 1000})
    assert is_signed_in(learner)
    response = editor.get("/learning/")
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert "_auth_user_id" not in editor.session
    age(learner, **{LAST_SEEN: 1900})
    assert not is_signed_in(learner)


@override_settings(SESSION_ABSOLUTE_LIFETIME=3600)
def test_absolute_lifetime_ends_even_an_active_session():
    client = signed_in(cadre())
    age(client, **{SIGNED_IN_AT: 3700, LAST_SEEN: 10})
    assert not is_signed_in(client)


def test_api_answers_401_when_the_session_ended():
    client = signed_in(cadre())
    age(client, **{LAST_SEEN: 100_000})
    response = client.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["code"] == "session_idle"


@override_settings(SESSION_SINGLE_FOR_CADRES=True)
def test_a_new_sign_in_ends_a_cadres_older_session_but_not_staffs():
    user = cadre()
    first = signed_in(user)
    age(first, **{SIGNED_IN_AT: 30})
    second = signed_in(user)
    assert is_signed_in(second) and not is_signed_in(first)

    editor = staff(roles.EDITOR)
    one = signed_in(editor)
    age(one, **{SIGNED_IN_AT: 30})
    signed_in(editor)
    assert is_signed_in(one)


def test_without_the_option_both_sessions_stay():
    user = cadre()
    first = signed_in(user)
    age(first, **{SIGNED_IN_AT: 30})
    signed_in(user)
    assert is_signed_in(first)
