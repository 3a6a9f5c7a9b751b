"""防挂机 in the browser: an attention check appears on the lesson page, is answered with the
keyboard-reachable number button, a second check is left alone and the clock stops.

The demo site runs with checks off (tests/e2e/settings.py); this journey turns them on for the
default site with short numbers (a check due at almost every beat, 6 s to answer, at least 8 s
apart) by writing the site's AttentionRules row, and turns them off again at the end.
"""

import re
import sqlite3
import time

import pytest
from playwright.sync_api import expect

# Demo cadres no other journey uses, one per viewport (a check is per cadre and lesson).
CADRE_BY_VIEWPORT = {"phone": "D0018", "desktop": "D0019"}


def _write(site, sql: str, params=()) -> int:
    with sqlite3.connect(site.db_path, timeout=20) as conn:
        return conn.execute(sql, params).rowcount


@pytest.fixture
def short_checks(journey):
    site = journey.site
    ((site_id,),) = site.query("SELECT id FROM wagtailcore_site WHERE is_default_site = 1")
    values = (1, 180, 1, 1, 8, 6)
    columns = (
        "activity_required, quiet_seconds, checks_enabled, check_mean_seconds, check_min_gap_seconds, answer_seconds"
    )
    if not _write(
        site,
        f"UPDATE learning_attentionrules SET ({columns}) = (?, ?, ?, ?, ?, ?) WHERE site_id = ?",  # noqa: S608 - fixed column names
        (*values, site_id),
    ):
        _write(
            site,
            f"INSERT INTO learning_attentionrules (site_id, {columns}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608 - fixed column names
            (site_id, *values),
        )
    try:
        yield
    finally:
        _write(site, "UPDATE learning_attentionrules SET checks_enabled = 0 WHERE site_id = ?", (site_id,))


def _lesson_path(site) -> str:
    ((url_path,),) = site.query(
        "SELECT p.url_path FROM wagtailcore_page p JOIN learning_lessonpage l ON l.page_ptr_id = p.id "
        "WHERE p.live = 1 ORDER BY p.path LIMIT 1"
    )
    # url_path is "/home/<course index>/<course>/<lesson>/": the site root page is "/home/".
    return "/" + url_path.split("/", 2)[2]


def _seconds(page) -> int:
    return int(page.locator('[data-role="time"]').inner_text())


def test_a_check_is_answered_and_a_missed_one_stops_the_clock(journey, short_checks):
    page = journey.page
    site = journey.site
    username = CADRE_BY_VIEWPORT[journey.viewport]
    journey.login(username)
    journey.goto(_lesson_path(site))
    dialog = page.get_by_role("alertdialog")

    # First check: appears after the first beat that counts (beats every 5 s).
    expect(dialog).to_be_visible(timeout=30_000)
    expect(dialog).to_have_attribute("aria-modal", "true")
    title = page.locator("#attention-check-title")
    expect(title).to_be_focused()
    number = page.locator('#attention-check [data-role="number"]').inner_text()
    buttons = dialog.locator("button[data-answer]")
    expect(buttons).to_have_count(4)
    journey.assert_no_horizontal_scroll()
    journey.shot("check-shown")
    # Keyboard: Tab from the title to the buttons, Enter on the right one.
    page.keyboard.press("Tab")
    for _ in range(4):
        if page.evaluate("document.activeElement.dataset.answer") == number:
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator('[data-role="status"]')).to_contain_text("已确认")
    journey.shot("check-answered")
    answered = site.query(
        "SELECT c.outcome FROM learning_attentioncheck c JOIN accounts_user u ON u.id = c.user_id "
        "WHERE u.username = ? ORDER BY c.issued_at",
        (username,),
    )
    assert answered == [("passed",)]

    # Second check, at least 8 s later: left alone past its 6 s deadline.
    expect(dialog).to_be_visible(timeout=40_000)
    expect(page.locator('#attention-check [data-role="countdown"]')).to_contain_text("已超时", timeout=15_000)
    page.wait_for_timeout(6_000)  # a beat after the deadline has come back
    stopped = _seconds(page)
    journey.shot("check-missed")
    time.sleep(11)  # two more beats
    assert _seconds(page) == stopped, "a missed check must stop the clock"
    # The status line says why (unless the short e2e lesson already reached its required time).
    expect(page.locator('[data-role="status"]')).to_contain_text(re.compile("在线确认|本课时已学完"))
    states = site.query(
        "SELECT c.outcome, c.deadline < datetime('now') FROM learning_attentioncheck c "
        "JOIN accounts_user u ON u.id = c.user_id WHERE u.username = ? ORDER BY c.issued_at",
        (username,),
    )
    assert states == [("passed", 1), ("pending", 1)], states  # both deadlines passed; the second unanswered
    journey.shot("clock-stopped")
