"""Editor → reviewer → cadre, starting from a Word document: the editor uploads a .docx under
案例库 → 从 Word 导入, checks the preview of each section (and what could not be placed) and the
suggested taxonomy, creates the draft, confirms it is anonymised and submits it to 案例审核; the
reviewer approves it; a cadre finds it with a Chinese search and sees its table and image.

The .docx is written in the test by tests/docx_factory.py (python-docx): our own words, nothing from outside.
"""

import re

from playwright.sync_api import expect

from tests import docx_factory
from tests.e2e.conftest import assert_accessible
from tests.e2e.test_case_review_journey import admin_login

# One document per viewport (the site is shared by the session), each with a word no demo case contains.
DOCUMENTS = {
    "phone": {"title": "某县港航管理处处长收受贿赂案", "word": "港航", "cadre": "D0018"},
    "desktop": {"title": "某县路政大队大队长收受贿赂案", "word": "路政", "cadre": "D0019"},
}


def test_editor_imports_word_document_reviewer_approves_cadre_finds_it(journey):
    page = journey.page
    site = journey.site
    doc = DOCUMENTS[journey.viewport]
    ((index_id,),) = site.query("SELECT page_ptr_id FROM cases_caseindexpage")
    summary = f"本案是一起交通领域{doc['word']}部门“一把手”利用审批权收受贿赂的典型案例，2023年由某省某县纪委监委查处。"
    data = docx_factory.case_docx(title=doc["title"], summary=summary)

    # Editor: 案例库 → 从 Word 导入
    admin_login(journey, "editor1")
    if journey.viewport == "desktop":
        page.get_by_role("button", name="案例库").click()
        page.get_by_role("link", name="从 Word 导入").click()
    else:
        journey.goto("/admin/cases/word-import/")
    expect(page).to_have_url(re.compile(r"/admin/cases/word-import/$"))
    page.locator("#id_file").set_input_files(
        files=[{"name": f"{doc['word']}.docx", "mimeType": "application/octet-stream", "buffer": data}]
    )
    page.locator("#id_target").select_option(label="案例（警示教育案例库）")
    journey.shot("upload")
    page.get_by_role("button", name="上传并导入").click()

    # Preview: each section, the table and the image, what was not placed, the suggested taxonomy
    expect(page).to_have_url(re.compile(r"/admin/cases/word-import/[\w-]+/$"))
    preview = page.locator("section.word-preview")
    expect(preview.get_by_role("heading", name=f"{doc['word']}.docx")).to_be_visible()
    for label in ("基本案情", "主要问题", "警示启示", "对策建议", "相关规定"):
        expect(preview.locator(f"[data-section='{label}'] h3")).to_have_text(label)
    expect(preview.locator("[data-section='基本案情'] b")).to_have_text("2019年至2023年")
    expect(preview.locator("[data-section='主要问题'] table")).to_contain_text("金额（万元）")
    image = preview.locator("[data-section='基本案情'] img")
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    expect(preview.locator(".word-preview__unplaced")).to_contain_text("附：干部群众反响")
    expect(page.locator("#id_doc0-title")).to_have_value(doc["title"])
    expect(page.locator("#id_doc0-year")).to_have_value("2023")
    expect(page.locator("#id_doc0-region")).to_have_value("某省某县")
    expect(page.locator("#id_doc0-sector option:checked")).to_have_text("交通")
    expect(page.locator("#id_doc0-subject_rank option:checked")).to_have_text("县处级")
    expect(page.get_by_role("checkbox", name="受贿")).to_be_checked()
    expect(page.get_by_role("checkbox", name="同级监督弱化")).to_be_checked()
    expect(page.locator("#id_doc0-is_anonymised")).not_to_be_checked()  # never ticked for the editor
    journey.shot("preview")
    journey.assert_no_horizontal_scroll()
    preview.locator(".word-preview__unplaced").scroll_into_view_if_needed()
    journey.shot("preview-unplaced-and-choices")
    page.get_by_role("button", name="创建草稿").click()

    # The draft opens in the editor; it is not live and must be confirmed anonymised before submitting
    expect(page).to_have_url(re.compile(r"/admin/pages/\d+/edit/$"), timeout=20_000)
    expect(page.locator(".messages")).to_contain_text("已创建 1 个草稿")
    ((page_id, live, anonymised),) = site.query(
        "SELECT p.id, p.live, c.is_anonymised FROM wagtailcore_page p "
        "JOIN cases_casestudypage c ON c.page_ptr_id = p.id WHERE p.title = ?",
        (doc["title"],),
    )
    assert (live, anonymised) == (0, 0)
    journey.shot("draft-created")
    page.locator("#id_is_anonymised").check()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator(".messages")).to_contain_text("已被更新", timeout=20_000)
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="提交给案例审核").click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{index_id}/$"), timeout=20_000)
    expect(page.locator(".messages")).to_contain_text(doc["title"])
    journey.shot("submitted")
    ((state,),) = site.query(
        "SELECT s.status FROM wagtailcore_workflowstate s WHERE s.base_content_type_id IS NOT NULL AND s.object_id = ?",
        (str(page_id),),
    )
    assert state == "in_progress"

    # Reviewer: approves and publishes
    admin_login(journey, "reviewer")
    journey.goto(f"/admin/pages/{page_id}/edit/")
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="批准并发布", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{index_id}/$"), timeout=20_000)
    journey.shot("approved")
    ((live,),) = site.query("SELECT live FROM wagtailcore_page WHERE id = ?", (page_id,))
    assert live == 1

    # Cadre: finds it by a Chinese word, opens it, sees the section, the table and the image
    page.context.clear_cookies()
    journey.login(doc["cadre"])
    journey.goto("/search/")
    search_form = page.locator("form.search-form")
    search_form.get_by_label("搜索词").fill(doc["word"])
    search_form.get_by_role("button", name="搜索").click()
    hit = page.locator("article.search-hit", has_text=doc["title"])
    expect(hit).to_be_visible()
    journey.shot("search-results")
    hit.get_by_role("link", name=doc["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(doc["title"])
    expect(page.locator(".table-scroll table")).to_contain_text("工程款拨付")
    # Bold and italic runs survive (the test machine's Chinese font has no bold face, so check the markup)
    expect(page.locator(".rich-text b").first).to_have_text("2019年至2023年")
    expect(page.locator(".rich-text i").first).to_have_text("收受他人财物")
    figure = page.locator("main img").first
    figure.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=figure.element_handle())
    journey.assert_no_horizontal_scroll()
    journey.shot("case-live")
    page.locator(".table-scroll").scroll_into_view_if_needed()
    journey.shot("case-table")
    assert_accessible(page, f"word-case-{journey.viewport}")
