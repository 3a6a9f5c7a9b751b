"""Session rules: the account gate (a forced password change, then a second factor, before anything
else) and the session time limits."""

from dataclasses import dataclass

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.passwords import password_change_required

REASONS = {
    "must_change_password": "首次登录或密码被重置后，须先修改密码。",
    "password_expired": "密码已超过有效期，须先修改密码。",
}


SIGNED_IN_AT = "mj_signed_in_at"
LAST_SEEN = "mj_last_seen"
# The last-seen stamp is rewritten at most this often, so a busy user does not write the session on
# every request.
LAST_SEEN_GRANULARITY = 60


def _is_staff_user(user) -> bool:
    from accounts import roles
    from accounts.selectors import user_has_role

    return user.is_superuser or any(user_has_role(user, role) for role in roles.STAFF_ROLES)


def session_expired_reason(request, now: float) -> str | None:
    """Why this signed-in session must end now (idle, absolute lifetime, a newer sign-in), or None."""
    from django.conf import settings

    session, user = request.session, request.user
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN, signed_in_at)
    if signed_in_at is None:
        return None  # signed in before this middleware existed: stamped below
    staff = _is_staff_user(user)
    idle = settings.SESSION_IDLE_TIMEOUT_STAFF if staff else settings.SESSION_IDLE_TIMEOUT
    if idle and last_seen is not None and now - last_seen > idle:
        return "idle"
    if settings.SESSION_ABSOLUTE_LIFETIME and now - signed_in_at > settings.SESSION_ABSOLUTE_LIFETIME:
        return "absolute"
    if user.sessions_ended_at is not None and signed_in_at < user.sessions_ended_at.timestamp():
        return "ended"
    # A later sign-in of the same cadre elsewhere ends this one (last_login is set at each sign-in).
    if (
        settings.SESSION_SINGLE_FOR_CADRES
        and not staff
        and user.last_login is not None
        and user.last_login.timestamp() - signed_in_at > 1
    ):
        return "replaced"
    return None


SESSION_MESSAGES = {
    "idle": "长时间未操作，会话已超时，请重新登录。",
    "absolute": "登录时间已达上限，请重新登录。",
    "replaced": "该账号已在其他地方登录，本次会话已结束。",
    "ended": "您已选择退出所有设备上的登录，请重新登录。",
}


class SessionTimeoutMiddleware:
    """Idle timeout (shorter for staff), absolute lifetime, and optionally one session per cadre.

    Uses only the session's own data (two timestamps) and Django's logout, so it works with any
    session engine.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.contrib import messages
        from django.contrib.auth import logout

        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = time.time()
        reason = session_expired_reason(request, now)
        if reason is not None:
            logout(request)
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": _(SESSION_MESSAGES[reason]), "code": f"session_{reason}"}, status=401)
            messages.info(request, _(SESSION_MESSAGES[reason]))
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.get_full_path()})}")
        session = request.session
        if SIGNED_IN_AT not in session:
            session[SIGNED_IN_AT] = now
        if now - session.get(LAST_SEEN, 0) > LAST_SEEN_GRANULARITY:
            session[LAST_SEEN] = now
        return self.get_response(request)


def stamp_sign_in(sender, request, user, **kwargs):
    """At each sign-in: the session starts its clocks (connected in accounts.signals)."""
    import time

    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN] = now


OTP_REASONS = {
    "verify": "请先输入双因素认证验证码。",
    "enrol": "工作人员账号须先绑定双因素认证。",
}


@dataclass(frozen=True)
class Debt:
    """What a signed-in session still owes before anything else: the code and message the API answers
    with, the page that settles it, and the pages reachable meanwhile (URL names)."""

    code: str
    detail: str
    page: str
    pages: tuple[str, ...]


def session_debt(request) -> Debt | None:
    """In order: a forced password change (first sign-in, reset, expiry), then a second factor."""
    reason = password_change_required(request.user)
    if reason is not None:
        return Debt(reason, REASONS[reason], "accounts:password_change", PASSWORD_PAGES)
    from accounts.otp import otp_state

    state = otp_state(request)
    if state is not None:
        page = "accounts:otp_verify" if state == "verify" else "accounts:otp_enrol"
        return Debt(f"otp_{state}_required", OTP_REASONS[state], page, OTP_PAGES)
    return None


PASSWORD_PAGES = ("accounts:password_change", "accounts:password_change_done")
OTP_PAGES = ("accounts:otp_verify", "accounts:otp_enrol")
ALWAYS_REACHABLE = ("accounts:logout", "wagtailadmin_logout")


class AccountGateMiddleware:
    """One gate for what a signed-in session owes (`session_debt`): site and admin pages redirect to the
    page that settles it (with ?next= for a GET), the API answers 403 with the code; only that step's
    pages, sign-out and static files stay reachable. Needs django_otp's OTPMiddleware before it
    (installs `user.is_verified()`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(("/static/", "/favicon")):
            return self.get_response(request)
        if request.path in {reverse(name) for name in ALWAYS_REACHABLE}:
            return self.get_response(request)
        debt = session_debt(request)
        if debt is None or request.path in {reverse(name) for name in debt.pages}:
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _(debt.detail), "code": debt.code}, status=403)
        target = reverse(debt.page)
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
