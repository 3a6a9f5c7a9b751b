"""A locked-out sign-in says for how long, on the login page and from the API's token endpoint alike."""

import pytest
from django.test import Client

from accounts.factories import TEST_PASSWORD, cadre

pytestmark = pytest.mark.django_db

IP = "10.7.7.7"


def _lock(user, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post("/accounts/login/", {"username": user.username, "password": "wrong"}, REMOTE_ADDR=IP)


def test_login_page_states_the_duration(settings):
    settings.AXES_COOLOFF_TIME = 0.25
    user = cadre()
    _lock(user, settings)
    page = Client().post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD}, REMOTE_ADDR=IP)
    assert page.status_code == 429
    assert "已被锁定 15 分钟" in page.content.decode() and page["Retry-After"] == "900"


def test_token_endpoint_states_the_duration(settings):
    settings.AXES_COOLOFF_TIME = 1.5
    user = cadre()
    _lock(user, settings)
    response = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": TEST_PASSWORD},
        content_type="application/json",
        REMOTE_ADDR=IP,
    )
    assert response.status_code == 429
    assert "已被锁定 1 小时 30 分钟" in response.json()["detail"] and response["Retry-After"] == "5400"
