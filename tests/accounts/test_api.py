"""Accounts API: token exchange and /me."""

import pytest
from django.test import Client

from accounts.factories import TEST_PASSWORD, cadre

pytestmark = pytest.mark.django_db


def test_token_then_me(client):
    user = cadre(unit="某省/某市/某县/教育局", is_principal=True)
    response = client.post(
        "/api/v1/auth/token", {"username": user.username, "password": TEST_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    me = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    body = me.json()
    assert body["username"] == user.username and body["org_unit"] == "某省/某市/某县/教育局"
    assert body["is_principal"] is True and body["roles"] == ["学员"]


def test_bad_credentials_and_bad_tokens(client):
    user = cadre()
    response = client.post(
        "/api/v1/auth/token", {"username": user.username, "password": "nope"}, content_type="application/json"
    )
    assert response.status_code == 401 and "用户名或密码错误" in response.json()["detail"]
    assert client.post("/api/v1/auth/token", "{not json", content_type="application/json").status_code in (400, 422)
    assert Client().get("/api/v1/me", headers={"Authorization": "Bearer wagtail_forged"}).status_code == 401
    assert Client().get("/api/v1/me").status_code == 401


def test_session_auth_for_the_browser(client):
    user = cadre()
    client.force_login(user)
    assert client.get("/api/v1/me").json()["id"] == user.pk


def test_openapi_is_served(client):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/me" in schema["paths"] and "/api/v1/auth/token" in schema["paths"]
