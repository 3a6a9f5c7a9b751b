"""Second factor for staff (issue 19): enrolment, verification at every sign-in, recovery codes,
throttling, the 安全管理员's reset (audited), the middleware on site, admin and API."""

import re
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp, roles
from accounts.factories import TEST_PASSWORD, cadre, staff
from audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:otp_enrol")
VERIFY = reverse("accounts:otp_verify")


def code_for(device, *, ahead: int = 0) -> str:
    """The code the authenticator app shows now (or `ahead` steps later)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + ahead * device.step
    return f"{totp.token():06d}"


def enrolled(user) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="身份验证器", confirmed=True)
    static = StaticDevice.objects.create(user=user, name="恢复码", confirmed=True)
    StaticToken.objects.create(device=static, token="abcd2345")
    return device


def sign_in(client, user):
    """The password step, through the sign-in page (django-axes wants a request)."""
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content.decode()[:500]


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_who_must_use_a_second_factor():
    editor, learner = staff(roles.EDITOR), cadre()
    assert otp.second_factor_required(editor) and not otp.second_factor_required(learner)
    for role in roles.STAFF_ROLES:
        assert otp.second_factor_required(staff(role)), role
    # A cadre who enrolled voluntarily must verify too.
    enrolled(learner)
    assert otp.second_factor_required(learner)
    with override_settings(OTP_REQUIRED_FOR_STAFF=False):
        assert not otp.second_factor_required(staff(roles.EDITOR))
        assert otp.second_factor_required(learner)


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_staff_without_a_device_reach_only_the_enrol_page(client):
    editor = staff(roles.EDITOR)
    sign_in(client, editor)
    for path in ("/", "/admin/", reverse("accounts:otp_overview"), reverse("accounts:password_change")):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith(ENROL), (path, response["Location"])
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "otp_enrol_required"
    assert "绑定双因素认证" in api.json()["detail"]
    assert client.get(ENROL).status_code == 200
    # Sign-out stays reachable.
    assert client.post(reverse("accounts:logout")).status_code == 302


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_enrolment_with_qr_secret_and_recovery_codes(client):
    editor = staff(roles.EDITOR)
    sign_in(client, editor)
    page = client.get(ENROL + "?next=/admin/")
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert "<svg" in html and "<script" not in html.split("<main", 1)[-1].split("</main>")[0]
    secret = re.search(r'data-testid="otp-secret">([^<]+)<', html).group(1)
    device = TOTPDevice.objects.get(user=editor, confirmed=False)
    import base64

    assert base64.b32decode(secret.replace(" ", "")) == device.bin_key
    # Reloading keeps the same secret (a second tab does not invalidate the first scan).
    assert secret in client.get(ENROL).content.decode()

    wrong = client.post(ENROL, {"token": "000000" if code_for(device) != "000000" else "111111"})
    assert wrong.status_code == 200 and "验证码不正确" in wrong.content.decode()
    assert not AuditEntry.objects.filter(action=Action.OTP_ENROL).exists()

    device.refresh_from_db()
    device.throttling_failure_count = 0
    device.save()
    done = client.post(ENROL, {"token": code_for(device), "next": "/admin/"})
    html = done.content.decode()
    assert done.status_code == 200 and "no-store" in done["Cache-Control"]
    codes = re.findall(r"<li><code>([a-z0-9]+)</code></li>", html)
    assert len(codes) == otp.RECOVERY_CODE_COUNT
    assert sorted(StaticToken.objects.filter(device__user=editor).values_list("token", flat=True)) == sorted(codes)
    assert TOTPDevice.objects.get(user=editor).confirmed
    entry = AuditEntry.objects.get(action=Action.OTP_ENROL)
    assert (entry.actor_id, entry.object_id) == (editor.pk, str(editor.pk))
    # This session is verified now: the admin opens.
    assert client.get("/admin/").status_code == 200
    # A second enrolment is refused (a reset by the 安全管理员 comes first).
    assert client.get(ENROL).status_code == 302


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_every_sign_in_asks_for_a_code(client):
    editor = staff(roles.EDITOR)
    device = enrolled(editor)
    sign_in(client, editor)
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"] == VERIFY + "?next=%2Fadmin%2Fpages%2F"
    api = client.get("/api/v1/me")
    assert api.status_code == 403 and api.json()["code"] == "otp_verify_required"
    bad = client.post(VERIFY, {"token": "12345", "next": "/admin/"})
    assert bad.status_code == 200 and "验证码不正确" in bad.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOGIN_FAILURE, detail__step="second_factor").count() == 1
    ok = client.post(VERIFY, {"token": code_for(device), "next": "/admin/"})
    assert ok.status_code == 302 and ok["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/api/v1/me").status_code == 200
    # The same code cannot be replayed in a new session.
    client.post(reverse("accounts:logout"))
    sign_in(client, editor)
    replay = client.post(VERIFY, {"token": code_for(device)})
    assert replay.status_code == 200 and client.get("/").status_code == 302


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_recovery_code_works_once(client):
    editor = staff(roles.REVIEWER)
    enrolled(editor)
    sign_in(client, editor)
    assert client.post(VERIFY, {"token": "ABCD 2345"}).status_code == 302
    assert otp.recovery_codes_left(editor) == 0
    client.post(reverse("accounts:logout"))
    sign_in(client, editor)
    assert client.post(VERIFY, {"token": "abcd2345"}).status_code == 200


def test_wrong_codes_are_throttled():
    editor = staff(roles.EDITOR)
    device = enrolled(editor)
    assert not otp.second_factor_verify(user=editor, token="000001" if code_for(device) != "000001" else "000002")
    # django-otp's throttling: the next attempt waits (1 s, then 2 s …), even with the right code.
    with pytest.raises(otp.OTPError, match="错误次数过多"):
        otp.second_factor_verify(user=editor, token=code_for(device))
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_cadre_enrols_voluntarily_then_must_verify(client):
    learner = cadre()
    sign_in(client, learner)
    overview = client.get(reverse("accounts:otp_overview"))
    assert overview.status_code == 200 and "尚未绑定" in overview.content.decode()
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=learner)
    assert client.post(ENROL, {"token": code_for(device)}).status_code == 200
    client.post(reverse("accounts:logout"))
    sign_in(client, learner)
    assert client.get("/").status_code == 302
    assert client.post(VERIFY, {"token": code_for(device, ahead=1)}).status_code == 302
    assert client.get(reverse("accounts:otp_overview")).status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_password_change_comes_before_the_second_factor(client):
    editor = staff(roles.EDITOR)
    editor.must_change_password = True
    editor.save()
    sign_in(client, editor)
    assert client.get("/").status_code == 302
    assert client.get(reverse("accounts:password_change")).status_code == 200


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_security_administrator_resets_a_lost_second_factor(client):
    editor = staff(roles.EDITOR)
    enrolled(editor)
    guard = staff(roles.SECURITY_ADMINISTRATOR)
    enrolled(guard)
    url = reverse("accounts:otp_reset", args=[editor.pk])
    sign_in(client, guard)
    client.post(VERIFY, {"token": "abcd2345"})
    page = client.get(url)
    assert page.status_code == 200 and "已绑定" in page.content.decode()
    assert client.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=editor).exists() and not StaticDevice.objects.filter(user=editor).exists()
    entry = AuditEntry.objects.get(action=Action.OTP_RESET)
    assert (entry.actor_id, entry.object_id, entry.detail["deleted"]) == (guard.pk, str(editor.pk), 3)
    # Not oneself, and nobody without the permission.
    assert client.get(reverse("accounts:otp_reset", args=[guard.pk])).status_code == 403
    with pytest.raises(otp.OTPError):
        otp.second_factor_reset(by=staff(roles.ADMINISTRATOR), user=guard)
    assert not otp.can_reset_second_factor(guard, staff(roles.EDITOR, is_superuser=True))
    assert TOTPDevice.objects.filter(user=guard).exists()


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_api_token_needs_the_code_too(client):
    editor = staff(roles.EDITOR)
    device = enrolled(editor)
    body = {"username": editor.username, "password": TEST_PASSWORD}
    refused = client.post("/api/v1/auth/token", body, content_type="application/json")
    assert refused.status_code == 403 and "验证码" in refused.json()["detail"]
    granted = client.post("/api/v1/auth/token", {**body, "otp": code_for(device)}, content_type="application/json")
    assert granted.status_code == 200 and granted.json()["token"]
    newcomer = staff(roles.TRAINER)
    body = {"username": newcomer.username, "password": TEST_PASSWORD}
    assert client.post("/api/v1/auth/token", body, content_type="application/json").status_code == 403


def test_qr_code_is_an_inline_svg_of_the_otpauth_url():
    editor = staff(roles.EDITOR)
    device = otp.pending_totp_device(user=editor)
    svg = otp.totp_qr_svg(device)
    assert svg.startswith("<svg") and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "otpauth://totp/" in device.config_url and "issuer=" in device.config_url


def test_admin_user_list_offers_the_reset_to_the_security_administrator(client):
    editor = staff(roles.EDITOR)
    url = reverse("accounts:otp_reset", args=[editor.pk])
    client.force_login(staff(roles.SECURITY_ADMINISTRATOR))
    assert url in client.get("/admin/users/").content.decode()
    client.force_login(staff(roles.ADMINISTRATOR, is_superuser=False))
    listing = client.get("/admin/users/")
    assert url not in listing.content.decode()


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_an_account_without_a_device_costs_no_otp_query_per_request(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    sign_in(client, cadre())
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("accounts:password_change")).status_code == 200
    assert not [q["sql"] for q in ctx.captured_queries if "otp_" in q["sql"]]


@override_settings(OTP_REQUIRED_FOR_STAFF=True)
def test_a_reset_ends_the_verified_state_of_open_sessions(client):
    editor = staff(roles.EDITOR)
    device = enrolled(editor)
    sign_in(client, editor)
    assert client.post(VERIFY, {"token": code_for(device)}).status_code == 302
    assert client.get("/admin/").status_code == 200
    otp.second_factor_reset(by=staff(roles.SECURITY_ADMINISTRATOR), user=editor)
    response = client.get("/admin/")
    assert response.status_code == 302
    # The verify page re-reads the devices: none left, so on to enrolment (no loop).
    follow = client.get(response["Location"], follow=True)
    assert follow.redirect_chain[-1][0].startswith(ENROL)


def test_a_new_sign_in_forgets_an_earlier_verification():
    """The password step (user_logged_in) never inherits a verified device from the session before."""
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory
    from django_otp import DEVICE_ID_SESSION_KEY

    editor = staff(roles.EDITOR)
    device = enrolled(editor)
    request = RequestFactory().get("/")
    request.session = SessionStore()
    request.session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    otp.on_sign_in(sender=None, request=request, user=editor)
    assert DEVICE_ID_SESSION_KEY not in request.session
    assert request.session[otp.HAS_DEVICE_SESSION_KEY] is True
