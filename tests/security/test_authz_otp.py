"""Authorisation matrix rows for the second-factor pages (issue 19): everyone signed in manages their
own second factor; only the 安全管理员 resets another account's (never their own)."""

import pytest
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import factories, roles
from tests.security.authz import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, build_world, check_row, expect

SIGNED_IN = expect(OK, anonymous=LOGIN)
GUARD = expect(FORBIDDEN, anonymous=LOGIN, security_administrator=OK)

ROWS = [
    Row("GET", "/accounts/two-factor/", SIGNED_IN, present={"cadre": ("尚未绑定",)}),
    Row("GET", "/accounts/two-factor/enrol/", SIGNED_IN, present={"editor": ("<svg",)}),
    # Nothing to verify without a device: back to the overview.
    Row("GET", "/accounts/two-factor/verify/", expect(REDIRECT, anonymous=LOGIN)),
    Row("POST", "/accounts/two-factor/verify/", expect(REDIRECT, anonymous=LOGIN), data={"token": "123456"}),
    Row("POST", "/accounts/two-factor/enrol/", SIGNED_IN, data={"token": "000000"}),
    Row("GET", "/accounts/users/{editor_user}/two-factor/", GUARD, present={"security_administrator": ("已绑定",)}),
    Row(
        "POST",
        "/accounts/users/{editor_user}/two-factor/",
        expect(FORBIDDEN, anonymous=LOGIN, security_administrator=REDIRECT),
        probe="devices",
        changes=frozenset({"security_administrator"}),
    ),
    # Not their own: 403.
    Row("GET", "/accounts/users/{security_user}/two-factor/", expect(FORBIDDEN, anonymous=LOGIN)),
    Row(
        "GET",
        "/accounts/users/999999/two-factor/",
        expect(FORBIDDEN, anonymous=LOGIN, security_administrator=NOT_FOUND),
    ),
]


def otp_world():
    world = build_world()
    # The account whose phone was lost: an editor outside the role table (an enrolled account must
    # verify, which the matrix's force_login sessions have not).
    editor = factories.staff(roles.EDITOR)
    TOTPDevice.objects.create(user=editor, name="身份验证器", confirmed=True)
    StaticDevice.objects.create(user=editor, name="恢复码", confirmed=True)
    world.values["editor_user"] = editor.pk
    world.values["security_user"] = world.users["security_administrator"].pk
    world.probes["devices"] = lambda: (
        TOTPDevice.objects.filter(user=editor).count(),
        StaticDevice.objects.filter(user=editor).count(),
    )
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.id} {r.data or ''}".rstrip() for r in ROWS])
def test_otp_authorisation_matrix(row):
    check_row(row, otp_world())
