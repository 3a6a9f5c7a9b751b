"""The tables behind each report view, as (sheet title, headers, rows iterator): one definition for
the page's CSV download, the background Excel export and the benchmark.

Rows are generated lazily (cadres in keyset-paginated chunks), so writers stay in constant memory.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from accounts.models import OrgUnit
from accounts.roles import Rank
from core.spreadsheets import safe_row
from reports import selectors
from reports.selectors import Filters

UNIT_HEADERS = [
    "单位",
    "干部数",
    "选课人次",
    "指派人次",
    "完成人次",
    "逾期人次",
    "完成率(%)",
    "测验平均分",
    "学时合计",
    "学时目标合计",
    "学时达成率(%)",
]
CADRE_HEADERS = [
    "工号",
    "姓名",
    "单位",
    "职级",
    "选课门数",
    "完成门数",
    "逾期门数",
    "完成率(%)",
    "学时",
    "年度学时目标",
]
COURSE_HEADERS = ["课程", "专题", "类别", "选课人次", "完成人次", "逾期人次", "完成率(%)", "学时合计"]
QUIZ_HEADERS = ["测验", "成绩人数", "平均分", "60分以下", "60–69分", "70–79分", "80–89分", "90分以上"]
OVERDUE_HEADERS = ["工号", "姓名", "单位", "课程", "截止日期", "逾期天数"]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Iterable[list]


def _num(value):
    return "" if value is None else value


def unit_line(row: selectors.UnitRow, label: str | None = None) -> list:
    return [
        label or (row.unit.full_path if row.unit and not row.own else row.label),
        row.cadres,
        row.enrolled,
        row.assigned,
        row.completed,
        row.overdue,
        _num(row.completion_rate),
        _num(row.average_score),
        float(row.hours),
        float(row.target),
        _num(row.hours_rate),
    ]


def cadre_line(row: selectors.CadreRow) -> list:
    p = row.profile
    return [
        p.employee_no,
        p.user.get_full_name(),
        p.org_unit.full_path,
        str(Rank(p.rank).label),
        row.enrolled,
        row.completed,
        row.overdue,
        _num(row.completion_rate),
        float(row.hours),
        float(row.target),
    ]


def _level_rows(unit: OrgUnit, depth: int, filters: Filters) -> Iterator[list]:
    units = OrgUnit.objects.filter(path__startswith=unit.path, depth=depth).order_by("path")
    batch: list[OrgUnit] = []
    for u in units.iterator(chunk_size=500):
        batch.append(u)
        if len(batch) == 500:
            yield from _unit_batch(batch, filters)
            batch = []
    if batch:
        yield from _unit_batch(batch, filters)


def _levels(roots: list[OrgUnit], depth: int, filters: Filters) -> Iterator[list]:
    for root in roots:
        yield from _level_rows(root, depth, filters)


def _unit_batch(units: list[OrgUnit], filters: Filters) -> Iterator[list]:
    data = selectors.unit_rows(units, filters)
    for u in units:
        yield unit_line(data[u.pk])


def _check_unit(user, unit_id) -> OrgUnit:
    unit = selectors.visible_unit(user, unit_id)
    if unit is None:
        raise PermissionDenied(_("单位不存在或不在您的管理范围内。"))
    return unit


def tables(*, user, view: str, params: dict, csv_only: bool = False) -> tuple[str, list[Table]]:
    """(file title, tables) for a report view, checked against the user's scope."""
    if not selectors.is_report_user(user):
        raise PermissionDenied(_("仅培训管理员可以导出报表。"))
    filters = selectors.parse_filters(params)
    desc = filters.describe()
    unit_id = params.get("unit")
    if view == "units":
        if unit_id:
            unit = _check_unit(user, unit_id)
            report = selectors.unit_report(user=user, unit=unit, filters=filters)
            title = f"{unit.name}{_('单位报表')}"
        else:
            unit, report = None, selectors.unit_report(user=user, unit=None, filters=filters)
            title = _("单位报表")
        current = Table(
            _("本级汇总"), UNIT_HEADERS, [*(unit_line(r) for r in report.rows), unit_line(report.total, _("合计"))]
        )
        result = [current]
        if not csv_only:
            roots = [unit] if unit else selectors.scope_roots(user)
            max_depth = (
                max(
                    (
                        OrgUnit.objects.filter(path__startswith=r.path)
                        .order_by("-depth")
                        .values_list("depth", flat=True)
                        .first()
                        or r.depth
                    )
                    for r in roots
                )
                if roots
                else 0
            )
            start = (unit.depth + 2) if unit else (min(r.depth for r in roots) + 1 if roots else 1)
            for depth in range(start, max_depth + 1):
                result.append(
                    Table(
                        _("第%(n)s级单位") % {"n": depth},
                        UNIT_HEADERS,
                        _levels(roots, depth, filters),
                    )
                )
            result.append(
                Table(
                    _("干部名单"),
                    CADRE_HEADERS,
                    (cadre_line(c) for r in roots for c in selectors.iter_cadre_rows(unit=r, filters=filters)),
                )
            )
        return f"{title}（{desc}）", result
    if view == "cadres":
        unit = _check_unit(user, unit_id)
        return f"{unit.name}{_('干部名单')}（{desc}）", [
            Table(
                _("干部名单"),
                CADRE_HEADERS,
                (cadre_line(c) for c in selectors.iter_cadre_rows(unit=unit, filters=filters)),
            )
        ]
    if view == "courses":
        units = [_check_unit(user, unit_id)] if unit_id else selectors.scope_roots(user)
        today = timezone.localdate()
        courses = Table(
            _("课程完成情况"),
            COURSE_HEADERS,
            (
                [
                    c.course.title,
                    c.course.topic.name,
                    str(c.course.get_kind_display()),
                    c.enrolled,
                    c.completed,
                    c.overdue,
                    _num(c.completion_rate),
                    float(c.hours),
                ]
                for c in selectors.course_rows(units=units, filters=filters)
            ),
        )
        if csv_only:
            return f"{_('课程报表')}（{desc}）", [courses]
        quizzes = Table(
            _("测验成绩分布"),
            QUIZ_HEADERS,
            ([q.title, q.graded, q.average, *q.bands] for q in selectors.quiz_rows(units=units, filters=filters)),
        )
        overdue = Table(
            _("逾期名单"),
            OVERDUE_HEADERS,
            (
                [
                    e.user.cadre_profile.employee_no,
                    e.user.get_full_name(),
                    e.user.cadre_profile.org_unit.full_path,
                    e.course.title,
                    e.due_date.isoformat(),
                    (today - e.due_date).days,
                ]
                for e in selectors.overdue_enrolments(units=units, filters=filters).iterator(chunk_size=2000)
            ),
        )
        return f"{_('课程报表')}（{desc}）", [courses, quizzes, overdue]
    raise ValidationError(_("未知的报表类型。"))


# --- writers ----------------------------------------------------------------------------------


def write_xlsx(tables_: list[Table], target) -> int:
    """Write the tables as sheets of a write-only workbook (rows are never all held in memory). Returns data rows."""
    wb = Workbook(write_only=True)
    count = 0
    for table in tables_:
        ws = wb.create_sheet(title=table.title[:31])
        ws.append(safe_row(table.headers))
        for row in table.rows:
            ws.append(safe_row(row))
            count += 1
    wb.save(target)
    return count


class _Echo:
    def write(self, value):
        return value


def csv_lines(table: Table) -> Iterator[str]:
    """CSV text line by line, starting with the UTF-8 BOM so Excel reads the Chinese correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(safe_row(table.headers))
    for row in table.rows:
        yield writer.writerow(safe_row(row))


def write_csv(table: Table, target) -> int:
    count = -1
    text = io.TextIOWrapper(target, encoding="utf-8", newline="", write_through=True)
    for line in csv_lines(table):
        text.write(line)
        count += 1
    text.detach()
    return count
