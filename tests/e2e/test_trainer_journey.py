"""Trainer: the unit report → drill down unit → sub-unit → a cadre → back; the unit report exported to
Excel in the background and downloaded; overdue cadres of the sub-unit reminded, once a day.

The live server queues background tasks, so the export stays 排队中 until the journey runs the worker.
"""

import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

CITY = "甲市"
COUNTY = "东山县"
# A sub-unit per viewport (the site is shared by the session and reminders are once a day), and one
# of its overdue cadres who should then see the reminder on their dashboard.
SUB_UNITS = {"phone": ("自然资源局", "D0011"), "desktop": ("教育局", "D0014")}


def _today() -> str:
    """The site's date (Beijing time), which is what reminders are keyed on."""
    return datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()


def _unit(site, full_path: str) -> int:
    ((unit_id,),) = site.query("SELECT id FROM accounts_orgunit WHERE full_path = ?", (full_path,))
    return unit_id


def _overdue(site, unit_id: int) -> list[tuple[str, int]]:
    """(name, course id) of every overdue, unfinished enrolment of the cadres of one unit."""
    return site.query(
        "SELECT u.name, e.course_id FROM learning_enrolment e JOIN accounts_user u ON u.id = e.user_id "
        "JOIN accounts_cadreprofile p ON p.user_id = u.id "
        "WHERE p.org_unit_id = ? AND e.completed_at IS NULL AND e.due_date < ? ORDER BY u.name",
        (unit_id, _today()),
    )


def _reminders_today(site, unit_id: int) -> int:
    ((count,),) = site.query(
        "SELECT count(*) FROM reports_reminder r JOIN accounts_cadreprofile p ON p.user_id = r.user_id "
        "WHERE p.org_unit_id = ? AND r.day = ?",
        (unit_id, _today()),
    )
    return count


def test_trainer_drills_down_exports_and_reminds(journey):
    page = journey.page
    site = journey.site
    sub_unit, reminded_cadre = SUB_UNITS[journey.viewport]
    county_id = _unit(site, f"某省/甲市/{COUNTY}")
    sub_unit_id = _unit(site, f"某省/甲市/{COUNTY}/{sub_unit}")
    ((cadre_name, cadre_employee_no),) = site.query(
        "SELECT u.name, p.employee_no FROM accounts_cadreprofile p JOIN accounts_user u ON u.id = p.user_id "
        "WHERE p.org_unit_id = ? ORDER BY p.employee_no LIMIT 1",
        (sub_unit_id,),
    )

    # Report by unit, from the site navigation
    journey.login("trainer_jia")
    page.get_by_role("link", name="培训报表").first.click()
    expect(page).to_have_url(re.compile(r"/reports/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("按单位统计")
    journey.assert_no_horizontal_scroll()
    journey.shot("report")
    assert_accessible(page, f"reports-units-{journey.viewport}")

    # Drill down: 甲市 → its county → the county's sub-unit → its cadres → one cadre
    page.locator("table.report-table:not(.attention-table) tbody th a", has_text=CITY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{CITY} · 按单位统计")
    journey.assert_no_horizontal_scroll()
    journey.shot("city")
    page.locator("table.report-table:not(.attention-table) tbody th a", has_text=COUNTY).click()
    expect(page).to_have_url(re.compile(rf"/reports/units/{county_id}/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{COUNTY} · 按单位统计")
    county_rows = page.locator("table.report-table:not(.attention-table) tbody tr")
    sub_unit_row = county_rows.filter(has=page.locator("th", has_text=sub_unit))
    expect(sub_unit_row).to_have_count(1)
    journey.assert_no_horizontal_scroll()
    journey.shot("county")
    page_figures = {
        row.locator("th").inner_text().strip(): int(row.locator("td").first.inner_text()) for row in county_rows.all()
    }
    page_total = int(page.locator("table.report-table tfoot td").first.inner_text())
    # Each rate shows the counts it is made of, and the 统计口径 are on the page.
    assigned, assigned_done = (int(page.locator("table.report-table tfoot td").nth(i).inner_text()) for i in (1, 2))
    expect(page.locator("table.report-table tfoot td").nth(4)).to_contain_text(f"（{assigned_done}/{assigned}）")
    expect(page.locator(".summary-cards")).to_contain_text(f"指派完成 {assigned_done} ÷ 指派 {assigned}")
    page.locator("details.definitions summary").click()
    expect(page.locator("details.definitions")).to_contain_text("指派完成 ÷ 指派")
    journey.shot("county-definitions")

    sub_unit_row.get_by_role("link", name="干部").click()
    expect(page).to_have_url(re.compile(rf"/reports/units/{sub_unit_id}/cadres/"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{sub_unit} · 干部学习情况")
    expect(page.locator("nav.crumbs")).to_contain_text(COUNTY)
    journey.assert_no_horizontal_scroll()
    journey.shot("sub-unit-cadres")
    assert_accessible(page, f"reports-unit-cadres-{journey.viewport}")

    page.get_by_role("link", name=cadre_name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{cadre_name} · 学习档案")
    expect(page.locator(".facts")).to_contain_text(cadre_employee_no)
    expect(page.locator(".facts")).to_contain_text(f"某省/甲市/{COUNTY}/{sub_unit}")
    journey.assert_no_horizontal_scroll()
    journey.shot("cadre")
    assert_accessible(page, f"reports-cadre-{journey.viewport}")

    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{sub_unit} · 干部学习情况")
    page.locator("nav.crumbs").get_by_role("link", name=COUNTY).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{COUNTY} · 按单位统计")

    # Excel export of the county's unit report: queued, generated by the worker, downloaded
    page.get_by_role("button", name="导出 Excel").click()
    expect(page).to_have_url(re.compile(r"/reports/exports/$"))
    expect(page.locator(".messages")).to_contain_text(f"{COUNTY}单位报表")
    latest = page.locator("table.data tbody tr").first
    expect(latest).to_contain_text(f"{COUNTY}单位报表")
    expect(latest).to_contain_text("排队中")
    journey.shot("export-queued")
    assert_accessible(page, f"reports-exports-{journey.viewport}")
    site.run_tasks()
    # No reload: the list updates itself (static/js/exports.js polls every 5 s while an export is pending).
    expect(latest).to_contain_text("已完成", timeout=15_000)
    journey.assert_no_horizontal_scroll()
    journey.shot("export-done")
    with page.expect_download() as download_info:
        latest.get_by_role("link", name="下载").click()
    download = download_info.value
    assert download.suggested_filename == f"{COUNTY}单位报表（{_today()[:4]}年度）.xlsx"
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    summary = list(workbook["本级汇总"].iter_rows(values_only=True))
    assert summary[0][:2] == ("单位", "干部数")
    assert workbook.sheetnames[-1] == "统计口径"
    exported = {row[0].rsplit("/", 1)[-1]: row[1] for row in summary[1:-1]}
    assert exported == page_figures, "the export shows the figures of the page"
    assert summary[-1][:2] == ("合计", page_total)
    cadres = list(workbook["干部名单"].iter_rows(values_only=True))
    assert cadres[0][:3] == ("工号", "姓名", "单位")
    assert len(cadres) - 1 == page_total, "one line per cadre of the county"
    assert (cadre_employee_no, cadre_name, f"某省/甲市/{COUNTY}/{sub_unit}") in {row[:3] for row in cadres}

    # Remind the sub-unit's overdue cadres: recorded once per cadre, course and day
    overdue = _overdue(site, sub_unit_id)
    assert overdue, f"the demo has overdue cadres in {sub_unit}"
    assert _reminders_today(site, sub_unit_id) == 0
    journey.goto(f"/reports/units/{county_id}/")
    page.locator(
        "table.report-table:not(.attention-table) tbody tr", has=page.locator("th", has_text=sub_unit)
    ).get_by_role("link", name="课程").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{sub_unit} · 按课程统计")
    overdue_rows = page.locator("table.report-table").last.locator("tbody tr")
    expect(overdue_rows).to_have_count(len(overdue))
    journey.assert_no_horizontal_scroll()
    journey.shot("overdue")
    assert_accessible(page, f"reports-courses-{journey.viewport}")

    page.get_by_role("button", name=f"一键提醒全部逾期（{len(overdue)} 人次）").click()
    expect(page.locator(".messages")).to_contain_text(f"逾期 {len(overdue)} 人次，已新发提醒 {len(overdue)} 人次。")
    expect(page.locator(".messages")).to_contain_text("没有登记电子邮箱")
    assert _reminders_today(site, sub_unit_id) == len(overdue)
    for row in overdue_rows.all():
        expect(row.locator("td").nth(3)).to_have_text(_today())
    journey.shot("reminded")

    page.get_by_role("button", name=re.compile(r"一键提醒全部逾期")).click()
    expect(page.locator(".messages")).to_contain_text(f"跳过 {len(overdue)} 人次（今天已提醒过）")
    overdue_rows.first.get_by_role("button", name="提醒").click()
    expect(page.locator(".messages")).to_contain_text("跳过 1 人次（今天已提醒过）")
    assert _reminders_today(site, sub_unit_id) == len(overdue), "a second reminder the same day adds nothing"
    journey.shot("reminded-again")
    site.run_tasks()  # the reminder e-mail task runs without error (demo cadres have no e-mail address)

    # The reminded cadre sees the reminder on their dashboard
    journey.logout()
    journey.login(reminded_cadre)
    notices = page.locator(".notice-panel")
    expect(notices).to_contain_text("学习提醒")
    expect(notices).to_contain_text("请尽快完成学习")
    dismiss = notices.get_by_role("button", name="知道了")
    color, background = dismiss.evaluate(
        "el => [getComputedStyle(el).color, getComputedStyle(el.closest('.card')).backgroundColor]"
    )
    assert color != background, f"the dismiss button must be visible on its card ({color} on {background})"
    journey.assert_no_horizontal_scroll()
    journey.shot("cadre-notice")
    assert_accessible(page, f"dashboard-with-reminder-{journey.viewport}")
    dismiss.click()
    expect(page.locator(".notice-panel")).to_have_count(0)
