"""Second factor (TOTP + static recovery codes) on django-otp's own models.

Who must use one: every staff role and superuser while `OTP_REQUIRED_FOR_STAFF` is on, and anyone
(a cadre who enrolled voluntarily) who holds a confirmed device, whatever the setting. Verification
goes through django-otp's `verify_token` on one device at a time, so the devices' own throttling
(`OTP_TOTP_THROTTLE_FACTOR`, `OTP_STATIC_THROTTLE_FACTOR`) limits guessing.
"""

import re
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp import devices_for_user, verify_token
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from audit.models import Action, Result
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "身份验证器"
STATIC_DEVICE_NAME = "恢复码"
_TOTP_CODE = re.compile(r"^\d{6}$")


class OTPError(Exception):
    """A user-facing refusal (Chinese message)."""


def is_staff_account(user) -> bool:
    from accounts import roles
    from accounts.selectors import user_has_role

    return user.is_superuser or any(user_has_role(user, role) for role in roles.STAFF_ROLES)


def has_second_factor(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def second_factor_required(user) -> bool:
    """Must this account prove a second factor in each session?"""
    if not user.is_authenticated:
        return False
    if has_second_factor(user):
        return True
    return bool(getattr(settings, "OTP_REQUIRED_FOR_STAFF", True)) and is_staff_account(user)


# Whether the signed-in account held a confirmed device, kept in the session from the sign-in on, so
# a request of an account without one (most cadres) costs no query. Re-read live by the second-factor
# pages (after an enrolment or a reset) and when absent (sessions from before this existed).
HAS_DEVICE_SESSION_KEY = "mj_otp_has_device"


def session_refresh(request) -> bool:
    has = has_second_factor(request.user)
    request.session[HAS_DEVICE_SESSION_KEY] = has
    return has


def otp_state(request, *, live: bool = False) -> str | None:
    """None when the session may go on; "verify" or "enrol" when it must stop at those pages first."""
    user = request.user
    if not user.is_authenticated or getattr(user, "is_verified", lambda: False)():
        return None
    has = request.session.get(HAS_DEVICE_SESSION_KEY)
    if live or has is None:
        has = session_refresh(request)
    if has:
        return "verify"
    if getattr(settings, "OTP_REQUIRED_FOR_STAFF", True) and is_staff_account(user):
        return "enrol"
    return None


def on_sign_in(sender, request, user, **kwargs):
    """At each sign-in (password step): nothing verified yet, whatever the session held before;
    note whether the account has a device (connected in accounts.signals, after django-otp's own
    handler, which marks a device an OTP-aware form verified)."""
    from django_otp import DEVICE_ID_SESSION_KEY

    if request is None or not hasattr(request, "session"):
        return
    if getattr(user, "otp_device", None) is None:
        request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.session[HAS_DEVICE_SESSION_KEY] = has_second_factor(user)


def pending_totp_device(*, user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled (one per account, kept across page reloads)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The base32 secret for manual entry, in groups of four."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_qr_svg(device: TOTPDevice) -> str:
    """The otpauth:// URL as an inline SVG QR code (made here: no external request, no script)."""
    import segno

    return segno.make(device.config_url, error="m").svg_inline(scale=4, border=2, title=_("身份验证器二维码"))


@transaction.atomic
def totp_enrol_confirm(*, user: User, token: str, request=None) -> list[str]:
    """Confirm the pending TOTP device with a code; replace the recovery codes; mark this session
    verified. Returns the new recovery codes (shown once). Raises OTPError on a wrong code."""
    if has_second_factor(user):
        raise OTPError(_("已绑定双因素认证；如需更换，请联系安全管理员重置。"))
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        raise OTPError(_("请刷新页面后重新扫描二维码。"))
    token = (token or "").strip().replace(" ", "")
    allowed, _detail = device.verify_is_allowed()
    if not allowed:
        raise OTPError(_("验证码错误次数过多，请稍后再试。"))
    if not _TOTP_CODE.match(token) or not device.verify_token(token):
        raise OTPError(_("验证码不正确，请核对手机时间后重试。"))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = _recovery_codes_replace(user=user)
    if request is not None:
        otp_login(request, device)
        request.session[HAS_DEVICE_SESSION_KEY] = True
    audit_record(action=Action.OTP_ENROL, request=request, actor=user, target=user, detail={"device": "totp"})
    return codes


def _recovery_codes_replace(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    static = StaticDevice.objects.create(user=user, name=STATIC_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create([StaticToken(device=static, token=code) for code in codes])
    return codes


def second_factor_verify(*, user: User, token: str, request=None) -> bool:
    """Check a 6-digit TOTP code or a recovery code against the matching device(s) (each throttled
    by django-otp). On success the session is marked verified. Raises OTPError while throttled."""
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        return False
    kind = TOTPDevice if _TOTP_CODE.match(token) else StaticDevice
    devices = list(kind.objects.filter(user=user, confirmed=True))
    if devices and not any(device.verify_is_allowed()[0] for device in devices):
        raise OTPError(_("验证码错误次数过多，请稍后再试。"))
    for device in devices:
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            if request is not None:
                otp_login(request, verified)
            return True
    audit_record(
        action=Action.LOGIN_FAILURE,
        request=request,
        actor=user,
        target=user,
        result=Result.FAILURE,
        detail={"step": "second_factor"},
    )
    return False


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def can_reset_second_factor(actor, target) -> bool:
    """安全管理员 (and superusers) reset another account's second factor; never their own, and only a
    superuser touches a superuser's."""
    if not actor.is_authenticated or actor.pk == target.pk:
        return False
    if target.is_superuser and not actor.is_superuser:
        return False
    return actor.has_perm("otp_totp.delete_totpdevice") and actor.has_perm("otp_static.delete_staticdevice")


@transaction.atomic
def second_factor_reset(*, by: User, user: User, request=None) -> int:
    """Delete every device of `user` (lost phone); the next sign-in enrols again. Audited."""
    if not can_reset_second_factor(by, user):
        raise OTPError(_("无权重置该账号的双因素认证。"))
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        count, _per_model = model.objects.filter(user=user).delete()
        removed += count
    audit_record(action=Action.OTP_RESET, request=request, actor=by, target=user, detail={"deleted": removed})
    return removed
