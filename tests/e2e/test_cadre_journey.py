"""Cadre journey on what exists so far: case library → a case → quiz with countdown, reload mid-way → submit → result.

Extended as courses, lessons, certificates and 学时 land.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import assert_accessible

CADRE = "D0010"  # a demo cadre with no quiz attempts


def test_cadre_reads_case_and_takes_quiz(journey):
    page = journey.page
    journey.login(CADRE)

    # Case library and one case
    journey.goto("/case-library/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.assert_no_horizontal_scroll()
    journey.shot("case-library")
    assert_accessible(page, f"case-library-{journey.viewport}")
    first_case = page.locator("main a[href*='/cases/']").first
    first_case.click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    journey.assert_no_horizontal_scroll()
    journey.shot("case-page")
    assert_accessible(page, f"case-page-{journey.viewport}")

    # Quiz: start, answer, reload mid-way, answer still there, submit
    journey.goto("/quizzes/")
    journey.shot("quiz-list")
    assert_accessible(page, f"quiz-list-{journey.viewport}")
    page.locator("main a[href^='/quizzes/']").filter(has_text="权力观测验").first.click()
    page.get_by_role("button", name=re.compile("开始作答|继续作答|再次作答")).click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+/$"))
    countdown = page.locator("#quiz-countdown-value")
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d$"))
    first_question = page.locator("fieldset.question").first
    choice = first_question.locator("input[type=radio]").first
    choice.check()
    expect(page.locator("#quiz-save-status")).to_have_text("已保存")
    journey.shot("quiz-answered")
    assert_accessible(page, f"quiz-attempt-{journey.viewport}")

    before = countdown.inner_text()
    page.reload()
    page.wait_for_load_state("networkidle")
    expect(page.locator("fieldset.question").first.locator("input[type=radio]").first).to_be_checked()
    expect(countdown).to_have_text(re.compile(r"^\d+:\d\d$"))
    assert countdown.inner_text() <= before, "the server-side deadline must not restart on reload"
    journey.assert_no_horizontal_scroll()
    journey.shot("quiz-after-reload")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="交卷").click()
    page.wait_for_url(re.compile(r"/quizzes/attempts/\d+/result/$"))
    expect(page.locator("main")).to_contain_text("分")
    journey.assert_no_horizontal_scroll()
    journey.shot("quiz-result")
    assert_accessible(page, f"quiz-result-{journey.viewport}")
