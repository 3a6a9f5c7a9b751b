"""The completion figures of the unit report through the API, for trainers within their scope."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError

from learning.models import CoursePage
from reports import selectors

router = Router(tags=["报表"])


class UnitFigures(Schema):
    org_unit_id: int | None
    name: str
    path: str
    cadres: int
    assigned: int  # 指派（人次）
    assigned_completed: int
    self_enrolled: int  # 自选（人次）
    self_completed: int
    enrolled: int  # 指派 + 自选
    completed: int  # 指派完成 + 自选完成
    overdue: int
    completion_rate: float | None  # 指派完成率 = assigned_completed / assigned
    self_completion_rate: float | None
    average_score: float | None
    hours: float
    hours_target: float


class CompletionOut(Schema):
    year: int
    course_id: int | None
    org_unit_id: int | None
    total: UnitFigures
    children: list[UnitFigures]


def _figures(row: selectors.UnitRow) -> dict:
    unit = row.unit
    return {
        "org_unit_id": unit.pk if unit and not row.own else None,
        "name": row.label,
        "path": unit.full_path if unit else "",
        "cadres": row.cadres,
        "assigned": row.assigned,
        "assigned_completed": row.assigned_completed,
        "self_enrolled": row.self_enrolled,
        "self_completed": row.self_completed,
        "self_completion_rate": row.self_rate,
        "enrolled": row.enrolled,
        "completed": row.completed,
        "overdue": row.overdue,
        "completion_rate": row.completion_rate,
        "average_score": row.average_score,
        "hours": float(row.hours),
        "hours_target": float(row.target),
    }


@router.get(
    "/reports/completion",
    response=CompletionOut,
    summary="单位完成情况（含下级汇总），仅限培训管理员的管理范围",
)
def completion(request, org_unit: int | None = None, course: int | None = None, year: int | None = None):
    user = request.user
    if not selectors.is_report_user(user):
        raise HttpError(403, _("仅培训管理员可以查看报表。"))
    if course is not None and not CoursePage.objects.filter(pk=course).exists():
        raise HttpError(404, _("课程不存在。"))
    try:
        filters = selectors.parse_filters({"year": year, "course": course})
    except ValidationError as exc:
        raise HttpError(422, "；".join(exc.messages)) from exc
    unit = None
    if org_unit is not None:
        unit = selectors.visible_unit(user, org_unit)
        if unit is None:
            raise HttpError(404, _("单位不存在或不在您的管理范围内。"))
    report = selectors.unit_report(user=user, unit=unit, filters=filters)
    return {
        "year": filters.year,
        "course_id": filters.course_id,
        "org_unit_id": unit.pk if unit else None,
        "total": _figures(report.total),
        "children": [_figures(r) for r in report.rows],
    }
