"""The answer to a locked-out sign-in (django-axes' AXES_LOCKOUT_CALLABLE): how long, and who can unlock.

The login pages get templates/accounts/locked_out.html; the API (/api/…) gets JSON in its usual
{"detail": …} shape instead of an HTML page. Both carry Retry-After when the lock cools off by itself.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message(request: HttpRequest) -> str:
    from axes.helpers import get_cool_off

    from accounts.templatetags.accounts_tags import duration_zh

    cool_off = get_cool_off(request)
    if cool_off:
        return _(
            "登录失败次数过多，该账号在本机的登录已被锁定 %(duration)s，请到时再试，或联系本单位培训管理员解除锁定。"
        ) % {"duration": duration_zh(cool_off)}
    return _("登录失败次数过多，该账号在本机的登录已被锁定，请联系本单位培训管理员解除锁定。")


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    from axes.helpers import get_client_username, get_cool_off, get_failure_limit

    status = settings.AXES_HTTP_RESPONSE_CODE
    cool_off = get_cool_off(request)
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message(request)}, status=status)
    else:
        context = {
            "failure_limit": get_failure_limit(request, credentials),
            "username": get_client_username(request, credentials) or "",
            "cooloff_timedelta": cool_off,
        }
        response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=status)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
