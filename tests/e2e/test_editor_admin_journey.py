"""An editor in the Wagtail admin (issue 21, "Editors"): the admin is branded 明鉴 from the sign-in page on;
an add form the editor leaves without saving creates no page (autosave is off), so the same title can be
used again; taxonomy pickers are checkboxes with a filter box; the Word import screen shares the branding.
The refusal to submit a case without its 正文 sections is in test_case_review_journey.py.
"""

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD

TITLES = {"phone": "某县林业站站长虚报造林面积案", "desktop": "某县水利站站长套取维修资金案"}


def test_branded_admin_no_orphan_drafts_and_checkbox_pickers(journey):
    page = journey.page
    site = journey.site
    title = TITLES[journey.viewport]
    ((index_id,),) = site.query("SELECT page_ptr_id FROM cases_caseindexpage")

    # The sign-in page: 明鉴, not Wagtail
    page.context.clear_cookies()
    journey.goto("/admin/login/")
    expect(page).to_have_title("登录 - 明鉴")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录明鉴管理后台")
    expect(page.locator(".mj-login-logo")).to_contain_text("明鉴")
    expect(page.locator("link[rel=icon]")).to_have_attribute("href", re.compile(r"favicon\.svg"))
    assert "Wagtail" not in page.locator("main").inner_text()
    expect(page.locator("#id_username")).to_have_attribute("placeholder", re.compile(r"^请输入"))
    journey.assert_no_horizontal_scroll()
    journey.shot("branded-login")
    page.locator("#id_username").fill("editor2")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/admin/$"))
    expect(page).to_have_title(re.compile(r"明鉴$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("明鉴管理后台")
    expect(page.locator("img.mj-admin-logo").first).to_be_attached()
    journey.shot("dashboard")

    # An add form left without saving leaves nothing behind, however long it was open
    journey.goto(f"/admin/pages/add/cases/casestudypage/{index_id}/")
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("某某虚报数量，套取国家资金。")
    page.wait_for_timeout(3_000)  # Wagtail's autosave ran every 0.5 s after a change
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?" if the browser asks
    journey.goto(f"/admin/pages/{index_id}/")
    assert not site.query("SELECT 1 FROM wagtailcore_page WHERE title = ?", (title,)), "an orphan draft was created"

    # The same title again: pickers are checkboxes with a filter; the draft saves (no slug clash)
    journey.goto(f"/admin/pages/add/cases/casestudypage/{index_id}/")
    page.locator("#id_title").fill(title)
    page.locator("#id_summary").fill("某某虚报数量，套取国家资金。")
    page.locator("#id_year").fill("2022")
    page.locator("#id_region").fill("某省某县")
    page.get_by_role("button", name="选择领域").click()
    page.locator(".modal a[data-chooser-modal-choice]", has_text="党政机关").click()
    expect(page.locator(".modal")).to_be_hidden()
    page.locator("#id_subject_rank").select_option(label="乡科级")

    violations = page.locator("[data-checkbox-filter]").first
    expect(violations.locator("select")).to_have_count(0)
    counter = violations.locator("[data-checkbox-filter-count]")
    expect(counter).to_have_text("已选 0 项，共 10 项")
    search = violations.get_by_role("searchbox", name="筛选选项")
    search.fill("公款")
    expect(violations.get_by_role("checkbox", name="挪用公款")).to_be_visible()
    expect(violations.get_by_role("checkbox", name="受贿")).to_be_hidden()
    violations.get_by_role("checkbox", name="挪用公款").check()
    search.press("Enter")  # filters; must not submit the page form
    search.fill("贪污")
    violations.get_by_role("checkbox", name="贪污").check()
    expect(counter).to_have_text("已选 2 项，共 10 项")
    search.fill("没有这一项")
    expect(violations.get_by_text("没有匹配的选项。")).to_be_visible()
    expect(violations.get_by_role("checkbox", name="挪用公款")).to_be_visible()  # ticked ones stay in view
    violations.scroll_into_view_if_needed()
    journey.shot("checkbox-filter")
    search.fill("")
    expect(violations.get_by_role("checkbox", name="受贿")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/admin/pages/add/"))

    page.get_by_role("button", name="保存草稿").click()
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"), timeout=20_000)
    journey.shot("draft-saved")
    rows = site.query(
        "SELECT p.id, p.live FROM wagtailcore_page p JOIN cases_casestudypage c ON c.page_ptr_id = p.id "
        "WHERE p.title = ?",
        (title,),
    )
    assert len(rows) == 1 and rows[0][1] == 0
    terms = {
        name
        for (name,) in site.query(
            "SELECT v.name FROM cases_casestudypage_violation_types t JOIN cases_violationtype v "
            "ON v.id = t.violationtype_id WHERE t.casestudypage_id = ?",
            (rows[0][0],),
        )
    }
    assert terms == {"挪用公款", "贪污"}

    # The Word import screens share the branding
    journey.goto("/admin/cases/word-import/")
    expect(page).to_have_title("从 Word 导入 - 明鉴")
    expect(page.locator("img.mj-admin-logo").first).to_be_attached()
    journey.assert_no_horizontal_scroll()
    journey.shot("word-import")
