"""The audit log viewer and its Excel export: read-only, for holders of audit.view_auditentry (审计管理员)."""

import io
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from audit import selectors
from audit.forms import AuditFilterForm
from audit.models import Action
from audit.services import audit_record

EXPORT_MAX_ROWS = 100_000


def _require_auditor(request):
    if not selectors.can_view_audit_log(request.user):
        raise PermissionDenied


@login_required
@require_GET
def audit_log(request):
    _require_auditor(request)
    form = AuditFilterForm(request.GET or None)
    entries = selectors.audit_entries(filters=form.to_filter())
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "audit/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})


@login_required
@require_GET
def audit_export(request):
    """The filtered entries as an Excel workbook (at most EXPORT_MAX_ROWS); the export is itself audited."""
    from openpyxl import Workbook

    _require_auditor(request)
    form = AuditFilterForm(request.GET or None)
    entries = selectors.audit_entries(filters=form.to_filter())[:EXPORT_MAX_ROWS]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("审计日志"))
    sheet.append([_("时间"), _("账号"), _("姓名"), _("IP 地址"), _("操作"), _("对象"), _("结果"), _("单位"), _("详情")])
    labels = dict(Action.choices)
    rows = 0
    tz = timezone.get_current_timezone()
    for entry in entries.iterator(chunk_size=2000):
        cells = [
            entry.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor_username,
            entry.actor_name,
            entry.ip_address or "",
            str(labels.get(entry.action, entry.action)),
            entry.object_repr,
            str(entry.get_result_display()),
            entry.unit_path,
            json.dumps(entry.detail, ensure_ascii=False) if entry.detail else "",
        ]
        # Usernames from failed sign-ins are typed by anyone: never let a cell become a formula.
        sheet.append([_escape_formula(cell) for cell in cells])
        rows += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_record(action=Action.AUDIT_EXPORT, request=request, object_repr=_("审计日志"), detail={"rows": rows})
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


def _escape_formula(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
