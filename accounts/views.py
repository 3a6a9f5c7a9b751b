from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services, tokens
from accounts.forms import LoginForm, RosterUploadForm
from accounts.models import RosterImportJob


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


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
            messages.error(request, _("导入失败，未写入任何数据。请修正以下问题后重新上传。"))
        else:
            if isinstance(result, RosterImportJob):
                return redirect("accounts_roster_job", job_id=result.pk)
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
    ended = tokens.sign_out_everywhere(user=request.user, keep_session_key=request.session.session_key)
    messages.success(request, _("已退出其他 %(n)s 个登录，并吊销全部访问令牌。") % {"n": ended})
    return redirect("accounts:tokens")
