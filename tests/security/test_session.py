"""The session key changes at login, and a logged-out session cannot be replayed."""

from importlib import import_module

import pytest
from django.conf import settings
from django.test import Client

from accounts import factories

COOKIE = settings.SESSION_COOKIE_NAME
SessionStore = import_module(settings.SESSION_ENGINE).SessionStore


def _login(client, username):
    response = client.post("/accounts/login/", {"username": username, "password": factories.TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]
    return client.cookies[COOKIE].value


@pytest.mark.django_db
def test_session_rotated_on_login():
    user = factories.cadre()
    client = Client()
    # An attacker plants a session id before the victim logs in (session fixation).
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    client.cookies[COOKIE] = planted.session_key

    new_key = _login(client, user.username)

    assert new_key != planted.session_key
    assert not SessionStore().exists(planted.session_key)
    attacker = Client()
    attacker.cookies[COOKIE] = planted.session_key
    assert attacker.get("/api/v1/me").status_code == 401


@pytest.mark.django_db
def test_session_dead_after_logout():
    user = factories.cadre()
    client = Client()
    key = _login(client, user.username)
    assert client.get("/api/v1/me").json()["username"] == user.username

    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert not SessionStore().exists(key)

    replay = Client()
    replay.cookies[COOKIE] = key
    assert replay.get("/api/v1/me").status_code == 401
    home = replay.get("/")
    assert home.status_code == 200
    assert "登录学习" in home.content.decode()


@pytest.mark.django_db
def test_logout_by_get_is_refused():
    """Logout is POST only, so a link or <img> on another site cannot sign a cadre out."""
    user = factories.cadre()
    client = Client()
    _login(client, user.username)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.get("/api/v1/me").status_code == 200


@pytest.mark.django_db
def test_session_cookie_flags():
    user = factories.cadre()
    client = Client()
    _login(client, user.username)
    morsel = client.cookies[COOKIE]
    assert morsel["httponly"]
    assert morsel["samesite"] == "Lax"
