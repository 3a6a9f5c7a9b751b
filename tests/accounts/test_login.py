"""Login: Chinese page, CSRF, session rotation, logout, lockout per username+IP."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.factories import TEST_PASSWORD, cadre

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def post_login(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_login_page_is_chinese(client):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-Hans">' in html
    assert "登录明鉴干部教育平台" in html and "用户名 / 工号" in html and "密码" in html


def test_admin_login_labels_are_chinese(client):
    html = client.get(reverse("wagtailadmin_login")).content.decode()
    assert "用户名 / 工号" in html and "密码" in html
    assert "Password" not in html


def test_login_requires_csrf_token():
    client = Client(enforce_csrf_checks=True)
    user = cadre()
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session

    page = client.get(LOGIN)
    token = page.cookies["csrftoken"].value
    response = client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_session_key_rotates_on_login_and_dies_on_logout(client):
    user = cadre()
    client.get(LOGIN)
    client.session.save()
    before = client.session.session_key
    assert post_login(client, user.username, TEST_PASSWORD).status_code == 302
    after = client.cookies["sessionid"].value
    assert after != before

    stolen = Client()
    stolen.cookies["sessionid"] = after
    assert stolen.get("/").context["user"].is_authenticated

    assert client.post(reverse("accounts:logout")).status_code == 302
    replay = Client()
    replay.cookies["sessionid"] = after
    assert not replay.get("/").context["user"].is_authenticated


def test_logout_is_post_only(client):
    user = cadre()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.get("/").context["user"].is_authenticated


def test_wrong_password_shows_chinese_error(client):
    user = cadre()
    response = post_login(client, user.username, "wrong")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()


def test_lockout_is_per_username_and_ip(client, settings):
    victim = cadre()
    colleague = cadre()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(), victim.username, "wrong", ip="10.0.0.8")
    # The attacked username is locked from this IP, even with the right password …
    locked = post_login(Client(), victim.username, TEST_PASSWORD, ip="10.0.0.8")
    assert locked.status_code == 429
    assert "登录失败次数过多" in locked.content.decode()
    # … a colleague in the same office (same IP) still logs in …
    assert post_login(Client(), colleague.username, TEST_PASSWORD, ip="10.0.0.8").status_code == 302
    # … and the victim can log in from another IP.
    assert post_login(Client(), victim.username, TEST_PASSWORD, ip="10.0.0.9").status_code == 302


def test_lockout_cools_off(client, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.db.models import F

    victim = cadre()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(Client(), victim.username, "wrong")
    assert post_login(Client(), victim.username, TEST_PASSWORD).status_code == 429
    # Let the cool-off pass: the failures now lie further back than AXES_COOLOFF_TIME.
    AccessAttempt.objects.update(
        attempt_time=F("attempt_time") - timedelta(hours=settings.AXES_COOLOFF_TIME, minutes=1)
    )
    assert post_login(Client(), victim.username, TEST_PASSWORD).status_code == 302
