"""Thin views of the trainer reports: by unit, by course, by cadre; exports; reminders."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors as account_selectors
from accounts.roles import Rank
from audit.models import Action
from audit.services import audit_record
from core.private_files import serve_private_file
from core.storage import private_storage
from learning.models import CourseKind, CoursePage, Topic
from reports import attention as attention_reports
from reports import charts, exports, selectors, services
from reports.models import ExportStatus


def trainer_required(view):
    @login_required
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not selectors.is_report_user(request.user):
            raise PermissionDenied(_("仅培训管理员可以查看报表。"))
        return view(request, *args, **kwargs)

    return wrapped


def _filters(request) -> selectors.Filters:
    try:
        return selectors.parse_filters(request.GET)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return selectors.parse_filters({})


def _unit(request, unit_id) -> object:
    unit = selectors.visible_unit(request.user, unit_id)
    if unit is None:
        raise Http404(_("单位不存在或不在您的管理范围内。"))
    return unit


def _filter_context(request, filters: selectors.Filters, **extra) -> dict:
    params = filters.as_params()
    return {
        "filters": filters,
        "query": urlencode(params),
        "years": range(filters.year + 1, filters.year - 5, -1),
        "ranks": Rank.choices,
        "kinds": CourseKind.choices,
        "courses": CoursePage.objects.live().order_by("path").values_list("pk", "title"),
        "topics": Topic.objects.values_list("pk", "name"),
        "definitions": selectors.DEFINITIONS,
        **extra,
    }


@trainer_required
def unit_report(request, unit_id: int | None = None):
    filters = _filters(request)
    unit = _unit(request, unit_id) if unit_id is not None else None
    report = selectors.unit_report(user=request.user, unit=unit, filters=filters)
    chart = charts.bars([(r.label, r.completion_rate) for r in report.rows])
    context = _filter_context(
        request,
        filters,
        report=report,
        unit=unit,
        chart=chart,
        trend=charts.line(report.trend),
        crumbs=selectors.breadcrumbs(request.user, unit) if unit else [],
        export_params={"view": "units", "unit": unit.pk if unit else ""},
    )
    context["attention_units"] = attention_reports.unit_summary(rows=report.rows, year=filters.year)
    return render(request, "reports/unit_report.html", context)


@trainer_required
def unit_cadres(request, unit_id: int):
    filters = _filters(request)
    unit = _unit(request, unit_id)
    page = Paginator(selectors.cadre_queryset(unit=unit, filters=filters), 50).get_page(request.GET.get("page"))
    rows = selectors.cadre_rows(list(page.object_list), filters)
    context = _filter_context(
        request,
        filters,
        unit=unit,
        page_obj=page,
        rows=rows,
        crumbs=selectors.breadcrumbs(request.user, unit),
        export_params={"view": "cadres", "unit": unit.pk},
    )
    return render(request, "reports/unit_cadres.html", context)


@trainer_required
def course_report(request):
    filters = _filters(request)
    unit_id = request.GET.get("unit")
    unit = _unit(request, unit_id) if unit_id else None
    units = [unit] if unit else selectors.scope_roots(request.user)
    rows = selectors.course_rows(units=units, filters=filters)
    overdue = Paginator(selectors.overdue_enrolments(units=units, filters=filters), 50).get_page(
        request.GET.get("page")
    )
    context = _filter_context(
        request,
        filters,
        unit=unit,
        rows=rows,
        quizzes=selectors.quiz_rows(units=units, filters=filters),
        overdue=overdue,
        reminded=selectors.last_reminded(enrolments=list(overdue.object_list)),
        chart=charts.bars([(r.course.title, r.completion_rate) for r in rows]),
        crumbs=selectors.breadcrumbs(request.user, unit) if unit else [],
        export_params={"view": "courses", "unit": unit.pk if unit else ""},
    )
    return render(request, "reports/course_report.html", context)


@trainer_required
def cadre_report(request, user_id: int):
    cadre = get_object_or_404(get_user_model(), pk=user_id)
    profile = account_selectors.cadre_profile_for(cadre)
    # Only cadres in the trainer's units (not even the trainer's own record outside them).
    if profile is None or selectors.visible_unit(request.user, profile.org_unit_id) is None:
        raise Http404(_("学员不存在或不在您的管理范围内。"))
    context = {"cadre": cadre, "profile": profile, "crumbs": selectors.breadcrumbs(request.user, profile.org_unit)}
    context.update(selectors.cadre_archive(cadre=cadre))
    context["attention_lessons"] = attention_reports.cadre_lessons(cadre=cadre)
    return render(request, "reports/cadre_report.html", context)


@trainer_required
def export_csv(request):
    """Stream the current view as CSV (UTF-8 with BOM), row by row."""
    view = request.GET.get("view", "")
    try:
        title, tables = exports.tables(user=request.user, view=view, params=request.GET, csv_only=True)
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:index")
    lines = _audited_csv(request, exports.csv_lines(tables[0]), title=title, view=view)
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _attachment(f"{title}.csv")
    return response


def _audited_csv(request, lines, *, title: str, view: str):
    """Stream the CSV and, once the last line is out, record the export with its row count (header excluded)."""
    count = 0
    for line in lines:
        count += 1
        yield line
    audit_record(
        action=Action.REPORT_EXPORT,
        request=request,
        object_repr=title,
        detail={"view": view, "format": "csv", "rows": max(count - 1, 0)},
    )


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"report.{filename.rsplit('.', 1)[-1]}\"; filename*=UTF-8''{quote(filename)}"


@trainer_required
@require_POST
def export_create(request):
    try:
        export = services.export_create(
            user=request.user,
            view=request.POST.get("view", ""),
            params=request.POST,
            fmt=request.POST.get("fmt", "xlsx"),
        )
    except PermissionDenied as exc:
        raise Http404(str(exc)) from exc
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:exports")
    audit_record(
        action=Action.REPORT_EXPORT,
        request=request,
        object_type="reports.reportexport",
        object_id=export.pk,
        object_repr=export.title,
        detail={"view": export.view, "format": export.fmt},
    )
    messages.success(request, _("已提交导出“%(title)s”，生成后可在此下载。") % {"title": export.title})
    return redirect("reports:exports")


@trainer_required
def export_list(request):
    page = Paginator(selectors.exports_for(user=request.user), 30).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/export_list.html",
        {"page_obj": page, "pending": any(e.status in (ExportStatus.PENDING, ExportStatus.RUNNING) for e in page)},
    )


@trainer_required
def export_download(request, export_id: int):
    export = selectors.export_downloadable(user=request.user, export_id=export_id)
    if export is None:
        raise Http404(_("导出文件不存在或已过期。"))
    audit_record(action=Action.REPORT_DOWNLOAD, request=request, target=export, detail={"rows": export.rows})
    return serve_private_file(
        request, private_storage().path(export.file.name), download_name=f"{export.title}.{export.fmt}"
    )


@trainer_required
@require_POST
def remind(request):
    try:
        filters = selectors.parse_filters(request.POST)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("reports:courses")
    unit_id = request.POST.get("unit")
    unit = _unit(request, unit_id) if unit_id else None
    course_id = request.POST.get("only_course") or None
    user_id = request.POST.get("only_user") or None
    try:
        result = services.remind_overdue(
            by=request.user,
            unit=unit,
            filters=filters,
            course_id=int(course_id) if course_id else None,
            user_id=int(user_id) if user_id else None,
        )
    except (ValueError, TypeError):
        raise Http404(_("参数不正确。")) from None
    if not result.overdue:
        messages.info(request, _("没有需要提醒的逾期学员。"))
    elif result.created:
        messages.success(request, result.message())
    else:
        messages.info(request, result.message())
    target = request.POST.get("next", "")
    if not target.startswith("/reports/"):
        target = reverse("reports:courses")
    return redirect(target)


@login_required
@require_POST
def notice_dismiss(request, reminder_id: int):
    services.notice_seen(user=request.user, reminder_id=reminder_id)
    return redirect("/")
