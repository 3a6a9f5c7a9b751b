"""A cadre's 课程中心 catalogue (covers, summaries, 学时, 必修/选修, topic, own status and progress, filters and
a Chinese search box); a lesson of a course the cadre is not enrolled in (elective: enrol in one click, even
double-clicked; required: not assigned, nothing credited, the heartbeat API refuses); a quiz answered in two
tabs (the user's answer stays, both are shown, the user chooses) whose answering page Back cannot bring back
after submitting; and the in-progress quiz with 继续答题 on the dashboard.

Demo cadres of 西河县 (甲市): the three 甲市 required courses are assigned to them, 民主集中制 (assigned to
东山县 only) is not. One cadre per journey and viewport, used by no other journey; the journeys check the demo
state they rely on first.
"""

import re

from playwright.sync_api import expect

# The catalogue and enrolment cadres have no lesson progress in the demo (load_demo gives many cadres some).
CATALOGUE_CADRE = {"phone": "D0026", "desktop": "D0032"}
ENROL_CADRE = {"phone": "D0021", "desktop": "D0028"}
QUIZ_CADRE = {"phone": "D0027", "desktop": "D0029"}
ELECTIVE = "一岗双责与述责述廉"
NOT_ASSIGNED = "民主集中制与“三重一大”集体决策"


def _user_id(site, username: str) -> int:
    ((pk,),) = site.query("SELECT id FROM accounts_user WHERE username = ?", (username,))
    return pk


def _course_id(site, title: str) -> int:
    ((pk,),) = site.query("SELECT id FROM wagtailcore_page WHERE title = ? AND live = 1", (title,))
    return pk


def _first_lesson_id(site, course_title: str) -> int:
    ((pk,),) = site.query(
        "SELECT l.id FROM wagtailcore_page c JOIN wagtailcore_page l ON l.path LIKE c.path || '%' "
        "AND l.depth = c.depth + 1 WHERE c.title = ? AND l.live = 1 ORDER BY l.path LIMIT 1",
        (course_title,),
    )
    return pk


def test_course_catalogue_with_status_filters_and_chinese_search(journey):
    page = journey.page
    site = journey.site
    username = CATALOGUE_CADRE[journey.viewport]
    assert not site.query("SELECT 1 FROM learning_lessonprogress WHERE user_id = ?", (_user_id(site, username),)), (
        "the catalogue cadre must start with no progress"
    )
    journey.login(username)
    journey.goto("/learning/courses/")
    cards = page.locator(".course-card")
    expect(cards).to_have_count(7)
    expect(page.locator(".catalogue-count")).to_have_text("共 7 门课程")
    # Every card: a cover image, the summary, 学时 in one format, 必修/选修, the topic and the cadre's status.
    for card in cards.all():
        card.scroll_into_view_if_needed()  # covers load lazily
        expect(card.locator("img.course-cover")).to_be_visible()
        expect(card.locator(".course-summary")).not_to_be_empty()
        expect(card.locator(".course-hours")).to_have_text(re.compile(r"^\d+(\.\d{1,2})? 学时$"))
        expect(card.locator(".course-mine .badge")).to_have_text(re.compile("未开始|学习中|已完成|逾期|未选课|未指派"))
    page.wait_for_function(
        "[...document.querySelectorAll('img.course-cover')].every(i => i.complete && i.naturalWidth > 0)"
    )
    page.evaluate("window.scrollTo(0, 0)")
    power = cards.filter(has_text="正确行使权力")
    expect(power.locator(".badge").first).to_have_text("必修")
    expect(power.locator(".course-mine .badge")).to_have_text("未开始")
    expect(cards.filter(has_text=ELECTIVE).locator(".course-mine .badge")).to_have_text("未选课")
    expect(cards.filter(has_text="民主集中制").locator(".course-mine .badge")).to_have_text("未指派")
    journey.assert_no_horizontal_scroll()
    if journey.viewport == "phone":
        # Results first: the filters are one compact block and the first course starts on the first screen.
        assert cards.first.bounding_box()["y"] < 844
    journey.shot("catalogue")

    # Open a lesson of an assigned course: its status becomes 学习中 with progress.
    power.get_by_role("link", name=re.compile("正确行使权力")).first.click()
    page.locator(".lesson-list a").first.click()
    expect(page.locator('[data-role="status"]')).to_have_text(re.compile("正在计时|本课时已学完"), timeout=20_000)
    journey.goto("/learning/courses/")
    expect(power.locator(".course-mine .badge")).to_have_text("学习中")
    expect(power.locator(".course-mine")).to_contain_text(re.compile(r"课时 [01]/3"))

    # Filter by status.
    page.get_by_label("我的状态：").select_option(label="学习中")
    page.get_by_role("button", name="筛选").click()
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("正确行使权力")
    journey.shot("status-in-progress")
    # A Chinese word inside a title, with a topic filter, and nothing found.
    page.get_by_role("link", name="清除筛选").first.click()
    page.get_by_label("搜索课程：").fill("监督")
    page.get_by_role("button", name="筛选").click()
    ((matching,),) = site.query(
        "SELECT COUNT(*) FROM learning_coursepage c JOIN wagtailcore_page p ON p.id = c.page_ptr_id "
        "WHERE p.live = 1 AND (p.title LIKE '%监督%' OR c.introduction LIKE '%监督%')"
    )
    assert 1 <= matching < 7
    expect(cards).to_have_count(matching)  # titles and introductions, a word inside an unbroken Chinese run
    expect(cards.filter(has_text="主动接受监督")).to_have_count(1)
    journey.shot("search")
    page.get_by_label("搜索课程：").fill("")
    page.get_by_label("我的状态：").select_option(label="未选课")
    page.get_by_role("button", name="筛选").click()
    expect(cards.first).to_be_visible()
    for card in cards.all():
        expect(card.locator(".course-mine .badge")).to_have_text(re.compile("未选课|未指派"))
    journey.assert_no_horizontal_scroll()
    journey.shot("not-enrolled-filter")
    page.get_by_label("搜索课程：").fill("没有这门课")
    page.get_by_role("button", name="筛选").click()
    expect(page.locator(".course-grid")).to_contain_text("没有符合条件的课程")
    # By topic: only that topic's courses.
    page.get_by_role("link", name="清除筛选").first.click()
    topic = page.get_by_label("专题：").locator("option").nth(1).inner_text()
    page.get_by_label("专题：").select_option(label=topic)
    page.get_by_role("button", name="筛选").click()
    expected = site.query(
        "SELECT COUNT(*) FROM learning_coursepage c JOIN learning_topic t ON t.id = c.topic_id "
        "JOIN wagtailcore_page p ON p.id = c.page_ptr_id WHERE t.name = ? AND p.live = 1",
        (topic,),
    )[0][0]
    expect(cards).to_have_count(expected)
    for card in cards.all():
        expect(card.locator(".course-meta .tag")).to_have_text(topic)


def test_a_lesson_of_a_course_not_enrolled_credits_nothing_until_enrolment(journey):
    page = journey.page
    site = journey.site
    username = ENROL_CADRE[journey.viewport]
    user_id = _user_id(site, username)
    assert not site.query("SELECT 1 FROM learning_lessonprogress WHERE user_id = ?", (user_id,))
    journey.login(username)

    # A required course not assigned to this cadre: said so, no timer, and the API refuses a beat.
    journey.goto("/learning/courses/")
    page.locator(".course-card", has_text="民主集中制").get_by_role("link").last.click()
    page.locator(".lesson-list a").first.click()
    gate = page.locator("#enrol-gate")
    expect(gate).to_contain_text("本课程尚未指派给您")
    expect(page.locator("#lesson-progress")).to_have_count(0)
    expect(gate.get_by_role("button")).to_have_count(0)
    journey.assert_no_horizontal_scroll()
    journey.shot("required-not-assigned")
    lesson_id = _first_lesson_id(site, NOT_ASSIGNED)
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    beat = page.request.post(
        f"{site.url}/api/v1/lessons/{lesson_id}/heartbeat",
        data="{}",
        headers={"Content-Type": "application/json", "X-CSRFToken": token, "Referer": page.url},
    )
    assert beat.status == 403 and "尚未选学" in beat.json()["detail"]
    assert not site.query("SELECT 1 FROM learning_lessonprogress WHERE user_id = ?", (user_id,))

    # An elective: the lesson offers enrolment; before it nothing counts and the dashboard offers no 继续学习.
    journey.goto("/learning/courses/")
    page.locator(".course-card", has_text=ELECTIVE).get_by_role("link").last.click()
    page.locator(".lesson-list a").first.click()
    lesson_url = page.url
    expect(gate).to_contain_text("选学本课程后开始计时")
    expect(page.locator("#lesson-progress")).to_have_count(0)
    journey.shot("elective-offer")
    page.wait_for_timeout(6_000)  # longer than a heartbeat interval: no beat may be sent
    assert not site.query("SELECT 1 FROM learning_lessonprogress WHERE user_id = ?", (user_id,))
    journey.goto("/")
    expect(page.locator(".my-courses")).not_to_contain_text(ELECTIVE)
    expect(page.locator(".my-courses .continue")).to_have_count(0)

    # Enrol with a double click: one enrolment, back on the lesson, the timer runs.
    journey.goto(lesson_url.removeprefix(site.url))
    page.get_by_role("button", name="选学本课程并开始学习").dblclick()
    expect(page).to_have_url(lesson_url)
    expect(page.locator(".messages")).to_contain_text(f"已选学《{ELECTIVE}》")
    expect(page.locator('[data-role="status"]')).to_have_text(re.compile("正在计时|本课时已学完"), timeout=20_000)
    course_id = _course_id(site, ELECTIVE)
    rows = site.query("SELECT source FROM learning_enrolment WHERE user_id = ? AND course_id = ?", (user_id, course_id))
    assert rows == [("self",)], rows
    journey.assert_no_horizontal_scroll()
    journey.shot("enrolled-counting")
    journey.goto("/")
    expect(page.locator(".my-courses")).to_contain_text(ELECTIVE)


def _choice_question(page):
    """The first single-choice or true/false question of the open attempt page."""
    return page.locator("fieldset.question[data-type=single], fieldset.question[data-type=truefalse]")


def test_quiz_in_two_tabs_keeps_what_was_typed_and_back_after_submitting_shows_the_result(journey):
    page = journey.page
    page.context.set_default_timeout(20_000)
    journey.login(QUIZ_CADRE[journey.viewport])
    journey.goto("/quizzes/")
    links = [a.get_attribute("href") for a in page.locator("main a[href^='/quizzes/']").all()]
    start = page.get_by_role("button", name="开始作答")
    for href in dict.fromkeys(h for h in links if re.fullmatch(r"/quizzes/\d+/", h or "")):
        journey.goto(href)
        if start.count():
            break
    start.click()
    expect(page).to_have_url(re.compile(r"/quizzes/attempts/\d+/$"))
    attempt_url = page.url

    # The in-progress quiz is on the dashboard with 继续答题.
    journey.goto("/")
    box = page.locator(".quiz-in-progress")
    expect(box).to_contain_text("未交卷的测验")
    journey.shot("dashboard-quiz-in-progress")
    box.get_by_role("link", name="继续答题").first.click()
    expect(page).to_have_url(attempt_url)

    # Two tabs on the same attempt, both loaded before any answer.
    other = page.context.new_page()
    other.goto(attempt_url)
    questions = _choice_question(page)
    assert questions.count() >= 1
    first = questions.nth(0)
    first_id = first.get_attribute("data-question-id")
    status = page.locator("#quiz-save-status")
    other_status = other.locator("#quiz-save-status")
    # The other tab saves option 1; this tab (stale) then chooses option 2.
    other.locator(f"#q{first_id} input[type=radio]").nth(0).check()
    expect(other_status).to_have_text("已保存")
    mine = first.locator("input[type=radio]").nth(1)
    mine.check()
    conflict = first.locator(".answer-conflict")
    expect(conflict).to_be_visible()
    other_label = first.locator("label.choice").nth(0).inner_text().strip()
    expect(conflict).to_contain_text("另一页面已为此题保存了不同的答案")
    expect(conflict.locator(".other-answer")).to_have_text(other_label)
    expect(mine).to_be_checked()  # what the user chose stays on screen
    expect(status).to_contain_text("与另一页面保存的答案不同")
    expect(status).not_to_have_text("已保存")
    journey.assert_no_horizontal_scroll()
    journey.shot("two-tabs-conflict")
    # Submitting is held until the user chooses.
    messages = []
    page.once("dialog", lambda d: (messages.append(d.message), d.dismiss()))
    page.get_by_role("button", name="交卷").click()
    expect(page).to_have_url(attempt_url)
    assert messages and "请先选择" in messages[0]
    # Keep mine: saved over the other tab's answer; the other tab sees it after a reload.
    conflict.get_by_role("button", name="保留我的答案").click()
    expect(conflict).to_have_count(0)
    expect(status).to_have_text("已保存")
    other.reload()
    expect(other.locator(f"#q{first_id} input[type=radio]").nth(1)).to_be_checked()

    if questions.count() >= 2:
        # Use the other: the other tab's answer is put on screen, nothing more is saved.
        second = questions.nth(1)
        second_id = second.get_attribute("data-question-id")
        other.locator(f"#q{second_id} input[type=radio]").nth(0).check()
        expect(other_status).to_have_text("已保存")
        second.locator("input[type=radio]").nth(1).check()
        expect(second.locator(".answer-conflict")).to_be_visible()
        second.get_by_role("button", name="改用另一页面的答案").click()
        expect(second.locator("input[type=radio]").nth(0)).to_be_checked()
        expect(second.locator(".answer-conflict")).to_have_count(0)
    other.close()

    # Submit, then Back: the result again, never a live answering page.
    page.once("dialog", lambda d: d.accept())
    page.get_by_role("button", name="交卷").click()
    expect(page).to_have_url(re.compile(r"/result/$"))
    result_url = page.url
    journey.shot("result")
    page.go_back()
    page.wait_for_load_state("load")
    expect(page).to_have_url(result_url)
    expect(page.locator("#quiz-form")).to_have_count(0)
    journey.shot("back-after-submit")
