from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from cases import services
from cases.forms import CaseImportForm
from cases.models import CaseIndexPage


@login_required
def library(request):
    """/case-library/: the site navigation's way to the (first) case library page."""
    index = CaseIndexPage.objects.live().order_by("path").first()
    if index is None:
        raise Http404
    return redirect(index.url)


def import_index_for(user) -> CaseIndexPage | None:
    """The case library this user may import into: they must be allowed to add case pages under it."""
    if not user.is_authenticated:
        return None
    for index in CaseIndexPage.objects.order_by("path"):
        if index.permissions_for_user(user).can_add_subpage():
            return index
    return None


@require_http_methods(["GET", "POST"])
def case_import_upload(request):
    """Admin page where editors upload a JSONL file of cases (same service as `import_cases`)."""
    index = import_index_for(request.user)
    if index is None:
        raise PermissionDenied
    can_publish = index.permissions_for_user(request.user).can_publish_subpage()
    form = CaseImportForm(request.POST or None, request.FILES or None, can_publish=can_publish)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.case_import_file(
                data=form.cleaned_data["file"].read(),
                publish=bool(form.cleaned_data.get("publish")) and can_publish,
                user=request.user,
                index=index,
            )
        except services.CaseImportError as exc:
            errors = exc.errors
            messages.error(request, _("导入失败，未写入任何数据。请修正以下问题后重新上传。"))
        else:
            messages.success(request, result.summary)
            return redirect("cases_import_upload")
    return render(request, "cases/admin/case_import.html", {"form": form, "errors": errors, "index": index})
