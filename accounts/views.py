from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
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
