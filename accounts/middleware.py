"""Send a user who must change the password to the change page before anything else."""

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


class PasswordChangeRequiredMiddleware:
    """Site and admin pages redirect to /accounts/password_change/; the API answers 403 with the reason.

    Only the change page itself, sign-out and static files stay reachable.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        reason = password_change_required(user)
        if reason is None or self._exempt(request.path):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _(REASONS[reason]), "code": reason}, status=403)
        target = reverse("accounts:password_change")
        if request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)

    @staticmethod
    def _exempt(path: str) -> bool:
        allowed = (
            reverse("accounts:password_change"),
            reverse("accounts:password_change_done"),
            reverse("accounts:logout"),
            reverse("wagtailadmin_logout"),
        )
        return path in allowed or path.startswith(("/static/", "/favicon"))
