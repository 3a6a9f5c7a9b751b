"""Each role lands on its own work: an editor's drafts, the reviewer's waiting cases, a trainer's overdue
and pending work, a cadre's in-progress quiz with 继续答题. One format for 学时 on the dashboard."""

import re

from playwright.sync_api import expect

# A cadre per viewport (the site is shared): each starts a quiz and leaves it open.
QUIZ_CADRE = {"phone": "D0003", "desktop": "D0004"}


def test_roles_land_on_their_work(journey):
    page = journey.page
    page.context.set_default_timeout(20_000)

    journey.login("editor1")
    expect(page.locator(".editor-work")).to_contain_text("草稿（尚未提交审核）")
    expect(page.locator("body")).not_to_contain_text("尚未关联干部档案")
    journey.assert_no_horizontal_scroll()
    journey.shot("editor")
    journey.logout()

    journey.login("reviewer")
    expect(page.locator(".reviewer-work")).to_contain_text("待我审核")
    expect(page.locator("body")).not_to_contain_text("尚未关联干部档案")
    journey.shot("reviewer")
    journey.logout()

    journey.login("trainer_jia")
    panel = page.locator(".trainer-work")
    expect(panel).to_contain_text("逾期未完成（人次）")
    expect(panel).to_contain_text("待审阅心得体会")
    expect(panel).to_contain_text(re.compile(r"指派完成 \d+ ÷ 指派 \d+"))
    journey.assert_no_horizontal_scroll()
    journey.shot("trainer")
    panel.get_by_role("link", name=re.compile("待审阅心得体会")).click()
    expect(page).to_have_url(re.compile(r"/learning/reflections/review/"))
    journey.logout()

    cadre = QUIZ_CADRE[journey.viewport]
    journey.login(cadre)
    # 学时 in one format: never "1.50" or "0.250".
    expect(page.locator(".my-courses")).not_to_contain_text(re.compile(r"\d\.\d0 学时"))
    journey.goto("/quizzes/")
    links = [a.get_attribute("href") for a in page.locator("main a[href^='/quizzes/']").all()]
    start = page.get_by_role("button", name="开始作答")
    for href in dict.fromkeys(h for h in links if re.fullmatch(r"/quizzes/\d+/", h or "")):
        journey.goto(href)
        if start.count():
            break
    expect(page.locator("main")).to_contain_text("得分率")
    start.click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/\d+/"))
    attempt_url = page.url
    journey.goto("/")
    box = page.locator(".quiz-in-progress")
    expect(box).to_contain_text("未交卷的测验")
    journey.assert_no_horizontal_scroll()
    journey.shot("cadre-quiz-in-progress")
    box.get_by_role("link", name="继续答题").first.click()  # newest first
    expect(page).to_have_url(attempt_url)
