"""Editor → reviewer: a case with an uploaded image is written in the Wagtail admin (refused for review
while it has no 正文 sections and no 已脱敏 tick), submitted to the 案例审核 workflow, approved by the reviewer, goes live and is found by a cadre with a Chinese search.

The live server queues background tasks without running them (tests/e2e/settings.py), so the
save-time index task of the new case is still waiting when the cadre searches: the case is found
because the search app indexes a page the moment it is published.
"""

import json
import re
import secrets
import struct
import zlib

from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_PASSWORD, assert_accessible

# One case per viewport (the site is shared by the session), each with a word no demo case contains.
CASES = {
    "phone": {
        "title": "某县粮库主任虚报收购量套取补贴案",
        "word": "粮库",
        "sector": "党政机关",
        "violation": "贪污",
        "cadre": "D0016",
    },
    "desktop": {
        "title": "某县殡葬管理所所长收受礼金案",
        "word": "殡葬",
        "sector": "医疗卫生",
        "violation": "受贿",
        "cadre": "D0017",
    },
}


def small_png(width: int = 120, height: int = 80) -> bytes:
    """A real PNG (a colour gradient) built with the standard library. A random comment makes every file
    different, so Wagtail's duplicate-upload check never asks about an image of an earlier journey."""
    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 2 % 256, y * 3 % 256, 140)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    comment = b"Comment\x00" + secrets.token_hex(8).encode()
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"tEXt", comment),
            chunk(b"IDAT", zlib.compress(rows)),
            chunk(b"IEND", b""),
        )
    )


def admin_login(journey, username: str):
    page = journey.page
    page.context.clear_cookies()
    journey.goto("/admin/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/admin/$"))


def add_case_section(page, n: int, key: str, text: str) -> None:
    """Append section `n` (key of cases.blocks.SECTIONS) to the case body in the admin, with one 正文 paragraph."""
    page.locator("#body-root > [data-streamfield-stream-container] > div > button.c-sf-add-button").last.click()
    page.locator(f"#body-{n}-value-section").select_option(key)
    content = page.locator(f"[name=body-{n}-value-content-count] ~ [data-streamfield-stream-container]")
    paragraph = page.get_by_role("option", name="正文").first
    for _attempt in range(3):  # the block menu toggles; a click during the block's entry animation can miss it
        content.locator("button.c-sf-add-button").first.click()
        try:
            paragraph.wait_for(state="visible", timeout=5_000)
            break
        except PlaywrightTimeoutError:
            continue
    paragraph.click()
    editor = content.locator("[contenteditable=true]").first
    editor.click()
    editor.type(text)
    # Draftail writes its hidden input after a pause or on blur; a submit before that sends an empty
    # paragraph. Leave the editor and wait for the form field itself to hold the text.
    editor.blur()
    expect(page.locator(f"input[name='body-{n}-value-content-0-value']")).to_have_value(re.compile(re.escape(text)))


def test_editor_submits_case_reviewer_approves_cadre_finds_it(journey):
    page = journey.page
    site = journey.site
    case = CASES[journey.viewport]
    ((index_id,),) = site.query("SELECT page_ptr_id FROM cases_caseindexpage")

    # Editor: a new case in the case library, with an uploaded image
    admin_login(journey, "editor1")
    journey.shot("editor-dashboard")
    journey.goto(f"/admin/pages/{index_id}/add_subpage/")
    expect(page).to_have_url(re.compile(r"/admin/pages/add/cases/casestudypage/\d+/$"))
    # Admin fields by id: Wagtail's panels repeat each label in headings and anchors.
    page.locator("#id_title").fill(case["title"])
    page.locator("#id_summary").fill(
        f"{case['title']}：某县{case['word']}负责人利用职务便利，虚报冒领国家补贴，案例用于以案促改。"
    )
    page.locator("#id_year").fill("2023")
    page.locator("#id_region").fill("某省某县")
    page.get_by_role("button", name="选择领域").click()
    page.locator(".modal a[data-chooser-modal-choice]", has_text=case["sector"]).click()
    expect(page.locator(".modal")).to_be_hidden()
    page.locator("#id_subject_rank").select_option(label="乡科级")
    page.locator("#id_outcome").select_option(label="党纪处分")
    violations = page.locator("[data-checkbox-filter]").first  # 违纪违法类型: checkboxes with a filter box
    violations.get_by_role("searchbox").fill(case["violation"])
    violations.get_by_role("checkbox", name=case["violation"], exact=True).check()

    page.get_by_role("button", name="选择一个图片").click()
    modal = page.locator(".modal")
    modal.get_by_role("tab", name="上传").click()
    modal.locator("input[type=file]").set_input_files(
        files=[{"name": f"case-{journey.viewport}.png", "mimeType": "image/png", "buffer": small_png()}]
    )
    modal.locator("#id_image-chooser-upload-title").fill(f"{case['title']}题图")
    journey.shot("image-upload")
    modal.get_by_role("button", name="上传").click()
    expect(modal).to_be_hidden()
    expect(page.locator("[data-chooser-title]", has_text=f"{case['title']}题图")).to_be_visible()

    # Submitting with no 正文 and without the 已脱敏 tick is refused with both reasons. Autosave is off
    # (WAGTAIL_AUTOSAVE_INTERVAL = 0), so the refused add form has created no page.
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="提交给案例审核").click()
    expect(page.locator("[data-contentpath=body]")).to_contain_text("正文须写好以下章节：基本案情、警示启示")
    expect(page.locator("[data-contentpath=is_anonymised]")).to_contain_text("请先确认案例已完成脱敏处理")
    journey.shot("body-and-anonymised-required")
    assert not site.query("SELECT 1 FROM wagtailcore_page WHERE title = ?", (case["title"],))

    add_case_section(page, 0, "facts", f"某某任某县{case['word']}负责人期间，虚报数量套取国家补贴。")
    add_case_section(page, 1, "lessons", "补贴资金是群众的“救命钱”，必须管住伸向它的手。")
    page.locator("#id_is_anonymised").check()
    journey.shot("case-form")
    page.get_by_role("button", name="更多动作").click()
    page.get_by_role("button", name="提交给案例审核").click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{index_id}/$"), timeout=20_000)
    expect(page.locator(".messages")).to_contain_text(case["title"])
    journey.shot("submitted")

    ((page_id, live, has_image),) = site.query(
        "SELECT p.id, p.live, c.hero_image_id IS NOT NULL FROM wagtailcore_page p "
        "JOIN cases_casestudypage c ON c.page_ptr_id = p.id WHERE p.title = ?",
        (case["title"],),
    )
    assert (live, has_image) == (0, 1)
    ((workflow, state),) = site.query(
        "SELECT w.name, s.status FROM wagtailcore_workflowstate s JOIN wagtailcore_workflow w ON w.id = s.workflow_id "
        "WHERE s.base_content_type_id IS NOT NULL AND s.object_id = ?",
        (str(page_id),),
    )
    assert (workflow, state) == ("案例审核", "in_progress")

    # Reviewer: approves it
    admin_login(journey, "reviewer")
    expect(page.locator("main")).to_contain_text(case["title"])
    journey.shot("reviewer-dashboard")
    journey.goto(f"/admin/pages/{page_id}/edit/")
    page.get_by_role("button", name="更多动作").click()
    journey.shot("approve-menu")
    page.get_by_role("button", name="批准并发布", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/pages/{index_id}/$"), timeout=20_000)
    expect(page.locator(".messages")).to_contain_text(case["title"])
    journey.shot("approved")
    ((live,),) = site.query("SELECT live FROM wagtailcore_page WHERE id = ?", (page_id,))
    assert live == 1
    queued = [
        json.loads(args_kwargs)["args"]
        for (args_kwargs,) in site.query(
            "SELECT args_kwargs FROM django_tasks_database_dbtaskresult "
            "WHERE status = 'READY' AND task_path LIKE '%insert_or_update_object_task'"
        )
    ]
    assert any(str(args[-1]) == str(page_id) for args in queued), "the case's save-time index task is still queued"

    # Cadre: anonymous → login → the search page → a Chinese word finds the new case
    page.context.clear_cookies()
    journey.goto("/search/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/search/"))
    journey.shot("login-for-search")
    journey.login(case["cadre"], here=True)
    expect(page).to_have_url(re.compile(r"/search/$"))
    search_form = page.locator("form.search-form")
    search_form.get_by_label("搜索词").fill(case["word"])
    search_form.get_by_role("button", name="搜索").click()
    hit = page.locator("article.search-hit", has_text=case["title"])
    expect(hit).to_be_visible()
    expect(hit.locator("mark").first).to_have_text(case["word"])
    journey.assert_no_horizontal_scroll()
    journey.shot("search-results")
    assert_accessible(page, f"search-results-{journey.viewport}")

    hit.get_by_role("link", name=case["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(case["title"])
    hero = page.locator(".case-hero img")
    hero.scroll_into_view_if_needed()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())
    expect(page.locator(".case-taxonomy")).to_contain_text(case["violation"])
    journey.assert_no_horizontal_scroll()
    journey.shot("case-live")
    assert_accessible(page, f"new-case-{journey.viewport}")
