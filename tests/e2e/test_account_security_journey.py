"""Issue 19 journeys (run as a module, in file order: the 审计管理员 finds the events of the first two): an imported cadre's first sign-in and forced password change; a trainer's reset
with a one-time password; the 审计管理员 finding all of it in the audit log and failing to alter it.

Each viewport imports its own cadre and resets a different demo cadre (the site is shared)."""

import re
import sqlite3

import pytest

from tests.e2e.conftest import DEMO_PASSWORD

INITIAL = "Chu-Shi-2026!"
NEW = {"phone": "Xin-Mima-2027a", "desktop": "Xin-Mima-2027b"}
IMPORTED = {"phone": "S19P01", "desktop": "S19D01"}
RESET_OFFSET = {"phone": 1, "desktop": 0}  # each viewport resets a different demo cadre of 甲市


def _change_password(page, old: str, new: str):
    page.get_by_label("原密码").fill(old)
    page.get_by_label("新密码", exact=True).fill(new)
    page.get_by_label("确认新密码").fill(new)
    page.get_by_role("button", name="保存新密码").click()
    page.wait_for_load_state("networkidle")


def test_imported_cadre_signs_in_and_must_change_the_password(journey, tmp_path):
    page, site = journey.page, journey.site
    employee_no = IMPORTED[journey.viewport]
    roster = tmp_path / "roster.csv"
    roster.write_text(
        f"工号,姓名,单位,职级\n{employee_no},新导入学员,某省/甲市/东山县/教育局,乡科级\n", encoding="utf-8"
    )
    site.manage("import_cadres", str(roster), "--initial-password", INITIAL)

    journey.login(employee_no, INITIAL)
    assert "/accounts/password_change/" in page.url
    assert page.get_by_text("须先修改密码").is_visible()
    journey.shot("forced-change")
    # Anything else sends the cadre back here.
    journey.goto("/learning/")
    assert "/accounts/password_change/" in page.url

    _change_password(page, INITIAL, INITIAL)  # the old one again: refused by the policy
    assert page.locator(".field-errors").get_by_text("最近 5 次").is_visible()
    journey.shot("refused-reuse")
    _change_password(page, INITIAL, NEW[journey.viewport])
    assert "/accounts/password_change" not in page.url
    journey.shot("changed")
    journey.goto("/")
    assert "/accounts/password_change/" not in page.url


def test_trainer_resets_a_cadre_and_the_cadre_must_change_it(journey, browser):
    page, site = journey.page, journey.site
    ((user_id, username),) = site.query(
        "SELECT u.id, u.username FROM accounts_user u JOIN accounts_cadreprofile p ON p.user_id = u.id "
        "JOIN accounts_orgunit o ON o.id = p.org_unit_id WHERE o.full_path LIKE '某省/甲市/%' "
        "ORDER BY p.employee_no DESC LIMIT 1 OFFSET ?",
        (RESET_OFFSET[journey.viewport],),
    )
    journey.login("trainer_jia")
    journey.goto(f"/reports/cadres/{user_id}/")
    page.get_by_role("link", name=re.compile("账号管理")).click()
    page.get_by_role("button", name="重置密码").click()
    page.wait_for_load_state("networkidle")
    password = page.get_by_test_id("one-time-password").inner_text().strip()
    assert len(password) >= 10
    journey.shot("slip")

    cadre_context = browser.new_context(locale="zh-CN")
    cadre_page = cadre_context.new_page()
    try:
        cadre_page.goto(site.url + "/accounts/login/")
        cadre_page.get_by_label("用户名 / 工号").fill(username)
        cadre_page.get_by_label("密码").fill(DEMO_PASSWORD)
        cadre_page.get_by_role("button", name="登录").click()
        assert cadre_page.get_by_text("用户名或密码错误").is_visible()  # the old password is gone
        cadre_page.get_by_label("用户名 / 工号").fill(username)
        cadre_page.get_by_label("密码").fill(password)
        cadre_page.get_by_role("button", name="登录").click()
        cadre_page.wait_for_load_state("networkidle")
        assert "/accounts/password_change/" in cadre_page.url
        _change_password(cadre_page, password, "Reset-Done-2027")
        assert "/accounts/password_change" not in cadre_page.url
    finally:
        cadre_context.close()


def test_audit_administrator_finds_it_all_and_cannot_alter_it(journey):
    page, site = journey.page, journey.site
    # A failed sign-in of its own, so the journey does not depend on what the others left behind.
    journey.goto("/accounts/login/")
    page.locator("#id_username").fill("auditor")
    page.locator("#id_password").fill("not-the-password")
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")
    # And a reset by trainer_jia followed by the cadre's own change, of a cadre no journey signs in as: the
    # trainer-reset journey may run on another worker's site, or after this one.
    site.manage(
        "shell",
        "-c",
        "from accounts.models import User; from accounts import services; "
        "u = User.objects.get(cadre_profile__employee_no='D0036'); "
        "services.password_reset_for_cadre(by=User.objects.get(username='trainer_jia'), user=u); "
        "u.refresh_from_db(); u.set_password('Audit-Journey-2027'); u.save(); "
        "services.password_changed_by_owner(user=u)",
    )
    journey.login("auditor")
    journey.goto("/audit/")
    for action in ("登录成功", "登录失败", "修改密码", "重置密码"):
        page.get_by_label("操作").select_option(label=action)
        page.get_by_role("button", name="筛选").click()
        page.wait_for_load_state("networkidle")
        assert page.locator("table.audit-log tbody tr td").first.inner_text() != "没有符合条件的记录。", action
        if action == "重置密码":
            assert page.get_by_text("trainer_jia").first.is_visible()
            journey.shot("resets")
    with page.expect_download() as download:
        page.get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")

    # No page changes an entry; a POST is refused, and so is an UPDATE or DELETE in the database itself.
    status = page.evaluate("fetch('/audit/', {method: 'POST'}).then(r => r.status)")
    assert status in (403, 405)
    with sqlite3.connect(site.db_path) as conn:
        for sql in ("UPDATE audit_auditentry SET object_repr = 'forged'", "DELETE FROM audit_auditentry"):
            with pytest.raises(sqlite3.DatabaseError):
                conn.execute(sql)
    # The 安全管理员 cannot read it at all (the demo's "admin" is a superuser, so not the example here).
    journey.logout()
    journey.login("secadmin")
    response = page.goto(site.url + "/audit/")
    assert response.status == 403
