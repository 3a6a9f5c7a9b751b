"""Issue 19: an editor enrols a TOTP authenticator (the test reads the secret from the page and
computes the codes, as the phone app would), signs out, signs in with password + code and reaches
the Wagtail admin.

The shared live site runs with OTP_REQUIRED_FOR_STAFF off (tests/e2e/settings.py) so the other
journeys' demo staff sign in with a password; this journey uses a fresh editor per viewport and
proves the rule that holds either way: an account with a confirmed device must verify at every
sign-in (the forced enrolment of staff is tested in tests/accounts/test_otp.py)."""

import base64
import time

from django_otp.oath import TOTP

from tests.e2e.conftest import DEMO_PASSWORD, assert_accessible


def _code(secret: str, *, ahead: int = 0) -> str:
    totp = TOTP(base64.b32decode(secret.replace(" ", "")), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time() + ahead * 30
    return f"{totp.token():06d}"


def test_editor_enrols_totp_and_signs_in_with_a_code(journey):
    page, site = journey.page, journey.site
    username = f"otp_editor_{journey.viewport}"
    site.manage(
        "shell",
        "-c",
        "from accounts import roles, services; from accounts.models import User; "
        f"u = User.objects.create(username='{username}', name='双因素编辑'); u.set_password('{DEMO_PASSWORD}'); "
        "u.save(); services.user_set_roles(user=u, role_names=[roles.EDITOR])",
    )
    journey.login(username)
    journey.goto("/accounts/two-factor/")
    assert page.get_by_test_id("otp-status").inner_text().startswith("尚未绑定")
    page.get_by_role("link", name="绑定身份验证器").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("otp-qr").locator("svg").is_visible()
    secret = page.get_by_test_id("otp-secret").inner_text().strip()
    journey.assert_no_horizontal_scroll()
    journey.shot("enrol-qr")
    assert_accessible(page, "otp enrol")

    page.get_by_label("六位验证码").fill(_code(secret))
    page.get_by_role("button", name="确认绑定").click()
    page.wait_for_load_state("networkidle")
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10 and len(set(codes)) == 10
    journey.shot("recovery-codes")
    page.get_by_role("link", name="我已保存，继续").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("otp-status").inner_text().startswith("已绑定")
    journey.logout()

    # Sign in again: the password alone reaches only the code page, in the admin as on the site.
    journey.goto("/accounts/login/?next=/admin/")
    journey.login(username, here=True)
    assert "/accounts/two-factor/verify/" in page.url
    journey.goto("/admin/pages/")
    assert "/accounts/two-factor/verify/" in page.url
    status = page.evaluate("fetch('/api/v1/me').then(r => r.status)")
    assert status == 403
    page.get_by_label("验证码").fill("000000" if _code(secret, ahead=1) != "000000" else "111111")
    page.get_by_role("button", name="验证").click()
    page.wait_for_load_state("networkidle")
    assert page.locator(".field-errors").get_by_text("验证码不正确").is_visible()
    journey.shot("wrong-code")
    page.wait_for_timeout(1500)  # django-otp's throttling: one second after a wrong code
    # The code of the next 30-second step (the enrolment's own step is used up; one step ahead is accepted).
    page.get_by_label("验证码").fill(_code(secret, ahead=1))
    page.get_by_role("button", name="验证").click()
    page.wait_for_url(f"{site.url}/admin/pages/")
    assert "/admin/pages/" in page.url
    journey.goto("/admin/")
    assert page.url == f"{site.url}/admin/"  # not sent back to the code page
    journey.shot("admin")
    rows = site.query("SELECT action, result FROM audit_auditentry WHERE actor_username = ? ORDER BY id", (username,))
    assert ("otp_enrol", "success") in rows and ("login_failure", "failure") in rows
