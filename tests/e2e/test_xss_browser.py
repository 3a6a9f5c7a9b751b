"""In a real browser: script imported into a case runs nowhere it is shown (no dialog fires).

tests/security/test_xss.py proves it on the HTML of every page; this checks the same payload
end to end in Chromium once, on the case page and in the search results with the highlighted snippet.
"""

import json

import pytest

pytestmark = pytest.mark.e2e

PAYLOAD = '浏览器XSS<script>alert("XSS")</script><img src=x onerror=alert("XSS")><svg onload=alert("XSS")>'


def test_imported_case_with_script_fires_no_dialog(journey, live_site, tmp_path):
    line = {
        "external_id": "E2E-XSS-1",
        "title": "浏览器XSS案例<img src=x onerror=alert(1)>",
        "summary": PAYLOAD,
        "year": 2024,
        "region": "某省",
        "sector": "交通",
        "subject_rank": "乡科级",
        "is_top_leader": False,
        "violation_types": ["受贿"],
        "supervision_failures": ["同级监督弱化"],
        "countermeasures": ["落实同级监督"],
        "tags": [],
        "is_anonymised": True,
        "sections": {"基本案情": f"{PAYLOAD}浏览器监督检验", "主要问题": PAYLOAD},
    }
    path = tmp_path / "xss.jsonl"
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    live_site.manage("import_cases", str(path), "--publish")  # idempotent by external_id across viewports
    dialogs = []
    journey.page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    journey.login("D0005")
    journey.goto("/search/?q=浏览器监督检验")
    hit = journey.page.locator(".search-hit a").first
    assert "浏览器XSS案例" in hit.inner_text()
    assert journey.page.locator(".hit-snippet mark").count() >= 1
    hit.click()
    journey.page.wait_for_load_state("networkidle")
    assert "浏览器XSS" in journey.page.content()
    journey.page.wait_for_timeout(300)
    assert not dialogs, f"injected script ran: {dialogs}"
