from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import permission_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import selectors, services
from accounts.forms import LoginForm, RosterUploadForm


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
            result = services.roster_import_file(
                data=upload.read(),
                filename=upload.name,
                initial_password=form.cleaned_data.get("initial_password") or None,
                actor=request.user,
            )
        except services.RosterError as exc:
            errors = exc.errors
            messages.error(request, _("导入失败，未写入任何数据。请修正以下问题后重新上传。"))
        else:
            messages.success(request, result.summary)
            if result.units_created:
                messages.info(request, _("新建单位：") + "、".join(result.units_created))
            return redirect("accounts_roster_upload")
    return render(request, "accounts/admin/roster_upload.html", {"form": form, "errors": errors})
