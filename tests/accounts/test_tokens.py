"""Finding 6 of issue 16: API tokens expire, are limited per account, are revoked on a new password,
deactivation and sign-out everywhere, and users see and revoke theirs (page and API)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.models import APIToken

from accounts import tokens
from accounts.factories import TEST_PASSWORD, cadre

pytestmark = pytest.mark.django_db


def _mint(user, client=None):
    response = (client or Client()).post(
        "/api/v1/auth/token", {"username": user.username, "password": TEST_PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def _login(client, user):
    response = client.post("/accounts/login/", {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302


def _me(token):
    return Client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})


def test_token_interface_is_stable_and_says_when_it_expires(settings):
    settings.API_TOKEN_LIFETIME_DAYS = 7
    user = cadre()
    body = _mint(user)
    assert set(body) >= {"token", "expires_at", "expires_in"} and body["expires_in"] == 7 * 86400
    assert _me(body["token"]).status_code == 200
    stored = APIToken.objects.get(user=user)
    assert body["token"] not in (stored.key_hash, stored.prefix)  # only a digest is stored


def test_a_token_past_its_lifetime_no_longer_works(settings):
    settings.API_TOKEN_LIFETIME_DAYS = 7
    user = cadre()
    token = _mint(user)["token"]
    APIToken.objects.filter(user=user).update(created=timezone.now() - timedelta(days=7, seconds=1))
    assert _me(token).status_code == 401


def test_a_new_password_revokes_every_token():
    user = cadre()
    token = _mint(user)["token"]
    user.set_password("Another-pass-2026")
    user.save()
    assert _me(token).status_code == 401


def test_deactivation_revokes_every_token():
    user = cadre()
    token = _mint(user)["token"]
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert APIToken.objects.filter(user=user, revoked_at__isnull=True).count() == 0
    user.is_active = True
    user.save()
    assert _me(token).status_code == 401  # reactivation does not bring the token back


def test_signing_in_does_not_revoke_tokens(client):
    user = cadre()
    token = _mint(user)["token"]
    _login(client, user)  # saves last_login
    assert _me(token).status_code == 200


def test_limit_per_account_revokes_the_oldest(settings):
    settings.API_TOKEN_MAX_PER_USER = 3
    user = cadre()
    minted = [_mint(user)["token"] for _ in range(5)]
    assert [_me(t).status_code for t in minted] == [401, 401, 200, 200, 200]
    assert tokens.live_tokens(user).count() == 3


def test_api_lists_and_revokes_only_own_tokens():
    user, other = cadre(), cadre()
    token = _mint(user)["token"]
    second = _mint(user)["token"]
    other_token = _mint(other)["token"]
    auth = {"Authorization": f"Bearer {token}"}
    listed = Client().get("/api/v1/auth/tokens", headers=auth).json()
    assert len(listed) == 2 and all(
        {"id", "prefix", "created", "last_used_at", "expires_at", "active"} <= set(t) for t in listed
    )
    other_id = APIToken.objects.get(user=other).pk
    assert Client().delete(f"/api/v1/auth/tokens/{other_id}", headers=auth).status_code == 404
    assert _me(other_token).status_code == 200
    second_id = next(t["id"] for t in listed if second.startswith(t["prefix"]))
    assert Client().delete(f"/api/v1/auth/tokens/{second_id}", headers=auth).status_code == 204
    assert _me(second).status_code == 401 and _me(token).status_code == 200
    assert Client().delete("/api/v1/auth/tokens", headers=auth).status_code == 204
    assert _me(token).status_code == 401


def test_tokens_page_shows_and_revokes(client):
    user = cadre()
    body = _mint(user)
    client.force_login(user)
    html = client.get("/accounts/tokens/").content.decode()
    assert "访问令牌" in html and body["token"][:10] in html and "到期时间" in html and "最近使用" in html
    token_id = APIToken.objects.get(user=user).pk
    other = cadre()
    _mint(other)
    other_id = APIToken.objects.get(user=other).pk
    assert client.post(f"/accounts/tokens/{other_id}/revoke/").status_code == 404
    assert client.post(f"/accounts/tokens/{token_id}/revoke/").status_code == 302
    assert _me(body["token"]).status_code == 401


def test_sign_out_everywhere_ends_other_sessions_and_tokens():
    user = cadre()
    token = _mint(user)["token"]
    laptop, phone = Client(), Client()
    _login(laptop, user)
    _login(phone, user)
    assert phone.get("/api/v1/me").status_code == 200
    assert laptop.post("/accounts/tokens/sign-out-everywhere/").status_code == 302
    assert phone.get("/api/v1/me").status_code == 401
    assert laptop.get("/api/v1/me").status_code == 200
    assert _me(token).status_code == 401
