"""The tables behind each report view, as (sheet title, headers, rows iterator): one definition for
the page's CSV download, the background Excel export and the benchmark.

Rows are generated lazily (cadres in keyset-paginated chunks), so writers stay in constant memory.
"""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from accounts.models import OrgUnit
from accounts.roles import Rank
from core.spreadsheets import safe_row
from reports import selectors
from reports.selectors import Filters

UNIT_HEADERS = [
    "单位",
    "干部数",
    "指派（人次）",
    "指派完成",
    "逾期",
    "指派完成率（%）",
    "自选（人次）",
    "自选完成",
    "自选完成率（%）",
    "测验平均分",
    "学时合计",
    "学时目标合计",
    "学时达成率（%）",
]
UNIT_FORMATS = [None, "0", "0", "0", "0", "0.0", "0", "0", "0.0", "0.0", "General", "General", "0.0"]
UNIT_WIDTHS = [36, 8, 11, 10, 8, 14, 11, 10, 14, 11, 10, 12, 14]
CADRE_HEADERS = [
    "工号",
    "姓名",
    "单位",
    "职级",
    "指派（门）",
    "指派完成",
    "逾期",
    "指派完成率（%）",
    "自选（门）",
    "自选完成",
    "学时",
    "年度学时目标",
]
CADRE_FORMATS = [None, None, None, None, "0", "0", "0", "0.0", "0", "0", "General", "General"]
CADRE_WIDTHS = [12, 10, 36, 12, 10, 10, 8, 14, 10, 10, 8, 12]
COURSE_HEADERS = [
    "课程",
    "专题",
    "类别",
    "指派（人次）",
    "指派完成",
    "逾期",
    "指派完成率（%）",
    "自选（人次）",
    "自选完成",
    "学时合计",
]
COURSE_FORMATS = [None, None, None, "0", "0", "0", "0.0", "0", "0", "General"]
COURSE_WIDTHS = [32, 14, 8, 11, 10, 8, 14, 11, 10, 10]
QUIZ_HEADERS = ["测验", "成绩人数", "平均分", "60分以下", "60–69分", "70–79分", "80–89分", "90分以上"]
QUIZ_FORMATS = [None, "0", "0.0", "0", "0", "0", "0", "0"]
QUIZ_WIDTHS = [32, 10, 8, 10, 10, 10, 10, 10]
OVERDUE_HEADERS = ["工号", "姓名", "单位", "课程", "截止日期", "逾期天数"]
OVERDUE_FORMATS = [None, None, None, None, None, "0"]
OVERDUE_WIDTHS = [12, 10, 36, 32, 12, 10]
ENROLMENT_HEADERS = ["工号", "姓名", "单位", "课程", "类别", "来源", "截止日期", "状态", "完成日期"]
ENROLMENT_WIDTHS = [12, 10, 36, 32, 8, 8, 12, 8, 12]
DEFINITION_HEADERS = ["指标", "统计口径"]
DEFINITION_WIDTHS = [14, 90]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: Iterable[list]
    # Excel only: a number format per column (None: general) and column widths in characters.
    formats: list[str | None] | None = None
    widths: list[int] | None = None
    counted: bool = True  # False for the 统计口径 sheet: not data rows


def _num(value):
    return "" if value is None else value


def unit_line(row: selectors.UnitRow, label: str | None = None) -> list:
    return [
        label or (row.unit.full_path if row.unit and not row.own else row.label),
        row.cadres,
        row.assigned,
        row.assigned_completed,
        row.overdue,
        _num(row.completion_rate),
        row.self_enrolled,
        row.self_completed,
        _num(row.self_rate),
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
        row.assigned,
        row.assigned_completed,
        row.overdue,
        _num(row.completion_rate),
        row.self_enrolled,
        row.self_completed,
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


def definitions_table(desc: str) -> Table:
    """统计口径 as a sheet: the same DEFINITIONS the report pages print."""
    rows = [[str(name), str(text)] for name, text in selectors.DEFINITIONS]
    rows.append([_("筛选条件"), desc])
    rows.append([_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M")])
    return Table(_("统计口径"), DEFINITION_HEADERS, rows, None, DEFINITION_WIDTHS, counted=False)


def enrolment_lines(*, unit: OrgUnit, filters: Filters, chunk: int = 2000) -> Iterator[list]:
    """Every enrolment of a subtree's cadres with its status (learning.selectors.enrolment_status), chunk by chunk."""
    from learning import selectors as learning_selectors
    from learning.models import Enrolment

    today = timezone.localdate()
    qs = Enrolment.objects.filter(
        filters.course_q(), user__cadre_profile__org_unit__path__startswith=unit.path, year=filters.year
    )
    if filters.rank:
        qs = qs.filter(user__cadre_profile__rank=filters.rank)
    qs = qs.select_related("user__cadre_profile__org_unit", "course").order_by("pk")
    last = 0
    while True:
        page = list(qs.filter(pk__gt=last)[:chunk])
        if not page:
            return
        statuses = learning_selectors.enrolment_statuses(page, today=today)
        for e in page:
            profile = e.user.cadre_profile
            yield [
                profile.employee_no,
                e.user.get_full_name(),
                profile.org_unit.full_path,
                e.course.title,
                str(e.course.get_kind_display()),
                str(e.get_source_display()),
                e.due_date.isoformat() if e.due_date else "",
                learning_selectors.status_label(statuses[e.pk]),
                timezone.localtime(e.completed_at).date().isoformat() if e.completed_at else "",
            ]
        last = page[-1].pk


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
            _("本级汇总"),
            UNIT_HEADERS,
            [*(unit_line(r) for r in report.rows), unit_line(report.total, _("合计"))],
            UNIT_FORMATS,
            UNIT_WIDTHS,
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
                        UNIT_FORMATS,
                        UNIT_WIDTHS,
                    )
                )
            result.append(
                Table(
                    _("干部名单"),
                    CADRE_HEADERS,
                    (cadre_line(c) for r in roots for c in selectors.iter_cadre_rows(unit=r, filters=filters)),
                    CADRE_FORMATS,
                    CADRE_WIDTHS,
                )
            )
            result.append(definitions_table(desc))
        return f"{title}（{desc}）", result
    if view == "cadres":
        unit = _check_unit(user, unit_id)
        cadres = Table(
            _("干部名单"),
            CADRE_HEADERS,
            (cadre_line(c) for c in selectors.iter_cadre_rows(unit=unit, filters=filters)),
            CADRE_FORMATS,
            CADRE_WIDTHS,
        )
        if csv_only:
            return f"{unit.name}{_('干部名单')}（{desc}）", [cadres]
        enrolments = Table(
            _("选课明细"),
            ENROLMENT_HEADERS,
            enrolment_lines(unit=unit, filters=filters),
            None,
            ENROLMENT_WIDTHS,
        )
        return f"{unit.name}{_('干部名单')}（{desc}）", [cadres, enrolments, definitions_table(desc)]
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
                    c.assigned,
                    c.assigned_completed,
                    c.overdue,
                    _num(c.completion_rate),
                    c.self_enrolled,
                    c.self_completed,
                    float(c.hours),
                ]
                for c in selectors.course_rows(units=units, filters=filters)
            ),
            COURSE_FORMATS,
            COURSE_WIDTHS,
        )
        if csv_only:
            return f"{_('课程报表')}（{desc}）", [courses]
        quizzes = Table(
            _("测验成绩分布"),
            QUIZ_HEADERS,
            ([q.title, q.graded, q.average, *q.bands] for q in selectors.quiz_rows(units=units, filters=filters)),
            QUIZ_FORMATS,
            QUIZ_WIDTHS,
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
            OVERDUE_FORMATS,
            OVERDUE_WIDTHS,
        )
        return f"{_('课程报表')}（{desc}）", [courses, quizzes, overdue, definitions_table(desc)]
    raise ValidationError(_("未知的报表类型。"))


# --- writers ----------------------------------------------------------------------------------


def write_xlsx(tables_: list[Table], target) -> int:
    """Write the tables as sheets of a write-only workbook (rows are never all held in memory). Returns data rows."""
    wb = Workbook(write_only=True)
    count = 0
    for table in tables_:
        ws = wb.create_sheet(title=table.title[:31])
        _layout(ws, table)
        ws.append(_header_cells(ws, safe_row(table.headers)))
        for row in _number_formats(ws, table):
            ws.append(row)
            count += table.counted
    wb.save(target)
    return count


# Layout and number formats only; the values themselves are written as the tables give them.

_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")


def _layout(ws, table: Table) -> None:
    """Column widths and a frozen header row (set before the first row: write-only sheets need that)."""
    ws.freeze_panes = "A2"
    for index, width in enumerate(table.widths or [], start=1):
        ws.column_dimensions[get_column_letter(index)].width = width


def _header_cells(ws, headers: list[str]) -> list:
    cells = []
    for text in headers:
        cell = WriteOnlyCell(ws, value=text)
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cells.append(cell)
    return cells


def _number_formats(ws, table: Table) -> Iterator[list]:
    """Rows with each number wrapped in a cell carrying its column's format; text values pass unchanged."""
    formats = table.formats
    for row in table.rows:
        out = safe_row(row)
        if not formats:
            yield out
            continue
        for index, value in enumerate(out):
            fmt = formats[index] if index < len(formats) else None
            if fmt and isinstance(value, int | float | Decimal) and not isinstance(value, bool):
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = fmt
                out[index] = cell
        yield out


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
