from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services, tokens
from accounts.forms import LoginForm, PasswordChangeForm, RosterUploadForm
from accounts.models import RosterImportJob, User
from audit.models import Action, Result
from audit.services import audit_record


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """The site's password change page (Django's view and form); also where a forced change lands."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts:password_change_done")

    def get_context_data(self, **kwargs):
        from accounts.middleware import REASONS
        from accounts.passwords import password_change_required

        context = super().get_context_data(**kwargs)
        reason = password_change_required(self.request.user)
        context["reason"] = _(REASONS[reason]) if reason else ""
        context["next"] = self._next_url()
        return context

    def _next_url(self) -> str:
        candidate = self.request.POST.get("next") or self.request.GET.get("next") or ""
        if url_has_allowed_host_and_scheme(candidate, {self.request.get_host()}, self.request.is_secure()):
            return candidate
        return ""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed_by_owner(user=form.user, request=self.request)
        messages.success(self.request, _("密码已修改。"))
        return redirect(self._next_url()) if self._next_url() else response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class LogoutView(auth_views.LogoutView):
    """POST only (Django's default): ends the session and deletes it server-side."""


@permission_required("accounts.import_roster", raise_exception=True)
@require_http_methods(["GET", "POST"])
def roster_upload(request):
    """Admin page where trainers and administrators upload a roster file."""
    form = RosterUploadForm(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            result = services.roster_upload(
                user=request.user,
                data=upload.read(),
                filename=upload.name,
                initial_password=form.cleaned_data.get("initial_password") or None,
            )
        except services.RosterError as exc:
            errors = exc.errors
            audit_record(
                action=Action.ROSTER_IMPORT,
                request=request,
                object_repr=upload.name,
                result=Result.FAILURE,
                detail={"errors": len(errors)},
            )
            messages.error(request, _("导入失败，未写入任何数据。请修正以下问题后重新上传。"))
        else:
            if isinstance(result, RosterImportJob):
                audit_record(
                    action=Action.ROSTER_IMPORT,
                    request=request,
                    object_repr=upload.name,
                    detail={"job": result.pk, "rows": result.total},
                )
                return redirect("accounts_roster_job", job_id=result.pk)
            audit_record(
                action=Action.ROSTER_IMPORT,
                request=request,
                object_repr=upload.name,
                detail={"created": result.created, "updated": result.updated, "units": len(result.units_created)},
            )
            messages.success(request, result.summary)
            if result.units_created:
                messages.info(request, _("新建单位：") + "、".join(result.units_created))
            return redirect("accounts_roster_upload")
    return render(request, "accounts/admin/roster_upload.html", {"form": form, "errors": errors})


@permission_required("accounts.import_roster", raise_exception=True)
def roster_job(request, job_id: int):
    """Progress of a background roster import; only the person who uploaded it sees it."""
    job = get_object_or_404(RosterImportJob, pk=job_id, user=request.user)
    return render(request, "accounts/admin/roster_job.html", {"job": job})


@login_required
def token_list(request):
    """访问令牌: the user's own API tokens with their creation, last use and expiry."""
    now = timezone.now()
    rows = [
        {
            "token": token,
            "expires_at": tokens.expires_at(token),
            "active": token.revoked_at is None and tokens.expires_at(token) > now,
        }
        for token in tokens.tokens_for(request.user)[:100]
    ]
    return render(
        request,
        "accounts/tokens.html",
        {"rows": rows, "lifetime_days": tokens.lifetime().days, "max_tokens": tokens.max_per_user()},
    )


def _managed_cadre(request, user_id: int) -> User:
    """The cadre whose account the signed-in trainer (or 安全管理员) manages: 403 without the permission,
    404 outside scope (not even revealed)."""
    if not request.user.has_perm("accounts.reset_cadre_password"):
        raise PermissionDenied
    target = User.objects.filter(pk=user_id).select_related("cadre_profile__org_unit").first()
    if target is None or not selectors.can_manage_cadre_account(request.user, target):
        raise Http404(_("学员不存在或不在您的管理范围内。"))
    return target


@login_required
@require_http_methods(["GET"])
def cadre_account(request, user_id: int):
    """A cadre's account as the trainer sees it: locked or not, reset and unlock buttons."""
    target = _managed_cadre(request, user_id)
    return render(
        request,
        "accounts/cadre_account.html",
        {"cadre": target, "profile": target.cadre_profile, "locked": selectors.account_locked(target)},
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    if not tokens.token_revoke(user=request.user, token_id=token_id):
        raise Http404(_("令牌不存在或已失效。"))
    messages.success(request, _("令牌已吊销。"))
    return redirect("accounts:tokens")


@login_required
@require_POST
def sign_out_everywhere(request):
    """End every other session of the user and revoke all their API tokens (this browser stays signed in)."""
    import time

    from accounts.middleware import SIGNED_IN_AT

    tokens.sign_out_everywhere(user=request.user)
    request.session[SIGNED_IN_AT] = time.time()  # this browser stays signed in
    messages.success(request, _("已退出其他设备上的全部登录，并吊销全部访问令牌。"))
    return redirect("accounts:tokens")


@login_required
@require_http_methods(["POST"])
def cadre_password_reset(request, user_id: int):
    """Reset and show the one-time password once, on a printable slip (never cached, never redirected to)."""
    target = _managed_cadre(request, user_id)
    password = services.password_reset_for_cadre(by=request.user, user=target, request=request)
    response = render(
        request,
        "accounts/password_slip.html",
        {"cadre": target, "profile": target.cadre_profile, "password": password, "issued_at": timezone.now()},
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["POST"])
def cadre_unlock(request, user_id: int):
    target = _managed_cadre(request, user_id)
    services.account_unlock(by=request.user, user=target, request=request)
    messages.success(request, _("已解除 %(name)s 的登录锁定。") % {"name": target.get_full_name()})
    return redirect("accounts:cadre_account", user_id=target.pk)


def _safe_next(request) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return ""


@login_required
@require_http_methods(["GET"])
def otp_overview(request):
    """The signed-in user's second factor: enrolled or not, recovery codes left; where a cadre opts in."""
    from accounts import otp

    return render(
        request,
        "accounts/otp_overview.html",
        {
            "enrolled": otp.has_second_factor(request.user),
            "required": otp.otp_state(request, live=True) == "enrol",
            "codes_left": otp.recovery_codes_left(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def otp_enrol(request):
    """QR code + secret; confirming with a code shows the recovery codes once (never cached)."""
    from accounts import otp
    from accounts.forms import OTPTokenForm

    if otp.session_refresh(request):
        return redirect("accounts:otp_overview")
    form = OTPTokenForm(request.POST or None)
    device = otp.pending_totp_device(user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            codes = otp.totp_enrol_confirm(user=request.user, token=form.cleaned_data["token"], request=request)
        except otp.OTPError as exc:
            form.add_error("token", str(exc))
        else:
            response = render(
                request, "accounts/otp_recovery_codes.html", {"codes": codes, "next": _safe_next(request)}
            )
            add_never_cache_headers(response)
            return response
    response = render(
        request,
        "accounts/otp_enrol.html",
        {
            "form": form,
            "qr_svg": otp.totp_qr_svg(device),
            "secret": otp.totp_secret(device),
            "next": _safe_next(request),
            "required": otp.otp_state(request) == "enrol",
        },
    )
    add_never_cache_headers(response)
    return response


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request):
    """The second step of every sign-in for an account with a second factor."""
    from accounts import otp
    from accounts.forms import OTPTokenForm

    if otp.otp_state(request, live=True) != "verify":
        return redirect(_safe_next(request) or "accounts:otp_overview")
    form = OTPTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ok = otp.second_factor_verify(user=request.user, token=form.cleaned_data["token"], request=request)
        except otp.OTPError as exc:
            form.add_error("token", str(exc))
        else:
            if ok:
                return redirect(_safe_next(request) or settings.LOGIN_REDIRECT_URL)
            form.add_error("token", _("验证码不正确。"))
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _safe_next(request)})


@login_required
@require_http_methods(["GET", "POST"])
def otp_reset(request, user_id: int):
    """安全管理员 resets another account's lost second factor (GET: confirm page, POST: delete devices)."""
    from accounts import otp

    if not (
        request.user.has_perm("otp_totp.delete_totpdevice") and request.user.has_perm("otp_static.delete_staticdevice")
    ):
        raise PermissionDenied
    target = User.objects.filter(pk=user_id).first()
    if target is None:
        raise Http404(_("账号不存在。"))
    if not otp.can_reset_second_factor(request.user, target):
        raise PermissionDenied
    if request.method == "POST":
        removed = otp.second_factor_reset(by=request.user, user=target, request=request)
        if removed:
            messages.success(
                request,
                _("已重置 %(name)s 的双因素认证，其下次登录时须重新绑定。")
                % {"name": target.get_full_name() or target.username},
            )
        else:
            messages.info(request, _("该账号尚未绑定双因素认证。"))
        return redirect("accounts:otp_reset", user_id=target.pk)
    return render(request, "accounts/otp_reset.html", {"target": target, "enrolled": otp.has_second_factor(target)})
