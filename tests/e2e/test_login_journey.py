"""Cadre signs in, sees their dashboard, signs out; a wrong password gets the Chinese error."""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible, axe_violations

RANK_LABELS = {10: "其他", 20: "乡科级", 30: "县处级", 40: "厅局级", 50: "省部级"}


def _cadre(site, employee_no):
    (row,) = site.query(
        "SELECT u.name, o.full_path, c.rank FROM accounts_cadreprofile c "
        "JOIN accounts_user u ON u.id = c.user_id JOIN accounts_orgunit o ON o.id = c.org_unit_id "
        "WHERE c.employee_no = ?",
        (employee_no,),
    )
    return {"name": row[0], "unit": row[1], "rank": RANK_LABELS[row[2]]}


def test_cadre_login_dashboard_logout(journey):
    page = journey.page
    cadre = _cadre(journey.site, "D0005")

    journey.goto("/")
    expect(page.get_by_role("link", name="登录学习")).to_be_visible()
    journey.shot("home-anonymous")

    journey.goto("/accounts/login/")
    journey.assert_no_horizontal_scroll()
    journey.shot("login")
    journey.login("D0005")

    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(cadre["name"])
    profile = page.locator(".profile-card")
    expect(profile).to_contain_text(cadre["name"])
    expect(profile).to_contain_text(cadre["unit"])
    expect(profile).to_contain_text(cadre["rank"])
    expect(profile).to_contain_text(re.compile(r"\d{4} 年已获 \S+ / \S+ 学时"))
    journey.assert_no_horizontal_scroll()
    journey.shot("dashboard")

    journey.logout()
    expect(page.get_by_role("heading", name="登录明鉴干部教育平台")).to_be_visible()
    # The old session is gone: the dashboard is anonymous again.
    journey.goto("/")
    expect(page.get_by_role("link", name="登录学习")).to_be_visible()
    expect(page.locator(".profile-card")).to_have_count(0)
    journey.shot("after-logout")


def test_wrong_password_shows_chinese_error(journey):
    page = journey.page
    journey.login("D0005", "not-the-password")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("用户名或密码错误")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    journey.assert_no_horizontal_scroll()
    journey.shot("wrong-password")


def test_main_pages_accessible(journey):
    """axe-core finds no serious or critical problem on the login page, the home page and the dashboard."""
    page = journey.page
    journey.goto("/")
    assert_accessible(page, f"home-anonymous-{journey.viewport}")
    journey.goto("/accounts/login/")
    assert_accessible(page, f"login-{journey.viewport}")
    journey.login("D0005", "wrong")
    assert_accessible(page, f"login-error-{journey.viewport}")
    journey.login("D0005")
    assert_accessible(page, f"dashboard-{journey.viewport}")
    response = page.goto(journey.site.url + "/no-such-page/")
    assert response.status == 404
    assert_accessible(page, f"not-found-{journey.viewport}")


def test_axe_check_detects_problems(journey):
    """The accessibility check itself works: a page with an unlabelled image and field fails it."""
    page = journey.page
    journey.goto("/accounts/login/")
    page.evaluate(
        """() => {
            const img = document.createElement('img'); img.src = '/static/none.png'; document.body.appendChild(img);
            const input = document.createElement('input'); input.type = 'text'; document.body.appendChild(input);
        }"""
    )
    ids = {v["id"] for v in axe_violations(page) if v["impact"] in ("serious", "critical")}
    assert {"image-alt", "label"} <= ids
