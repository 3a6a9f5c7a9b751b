"""A demo cadre completes a course in the browser, from the first lesson to the certificate;
the certificate verifies at its public URL and the 学时 show on the dashboard.

The live site runs with short lessons (tests/e2e/settings.py), so a course takes seconds.
"""

import re

from playwright.sync_api import expect

# Assigned cadres with no 学时 yet and an overdue required course; one per viewport, because the
# site is shared by the whole session and a course completes only once per cadre and year.
CADRE_BY_VIEWPORT = {"phone": "D0006", "desktop": "D0012"}
COURSE = "入学导学：明鉴平台学习要求"


def test_cadre_completes_a_course_and_the_certificate_verifies(journey):
    page = journey.page
    page.context.set_default_timeout(20_000)
    journey.login(CADRE_BY_VIEWPORT[journey.viewport])
    panel = page.locator(".my-courses")
    expect(panel.locator(".status-overdue").first).to_have_text("逾期")
    expect(page.locator(".profile-card")).to_contain_text(re.compile(r"年已获 0 / "))
    journey.shot("dashboard-before")

    journey.goto("/learning/courses/")
    page.get_by_role("link", name=COURSE).click()
    page.get_by_role("button", name="选学本课程").click()
    expect(page.locator(".course-status")).to_contain_text("已学完 0 / 3 个课时")
    journey.assert_no_horizontal_scroll()
    journey.shot("course-enrolled")

    page.locator(".lesson-list a").first.click()
    for number in range(1, 4):
        expect(page.locator('[data-role="status"]')).to_have_text("本课时已学完", timeout=30_000)
        journey.assert_no_horizontal_scroll()
        journey.shot(f"lesson-{number}-done")
        if number < 3:
            page.get_by_role("link", name="下一课时").click()
    certificate = page.locator('[data-role="certificate-link"]')
    expect(certificate).to_be_visible()
    href = certificate.get_attribute("href")
    code = re.search(r"/certificates/([A-Z0-9-]+)\.pdf$", href).group(1)
    pdf = page.request.get(journey.site.url + href)
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body().startswith(b"%PDF")

    journey.goto("/")
    expect(page.locator(".profile-card")).to_contain_text(re.compile(r"年已获 0\.25 / "))
    expect(panel).to_contain_text("入学导学")
    journey.shot("dashboard-after")
    journey.logout()

    journey.goto(f"/verify/{code}/")
    expect(page.locator("main")).to_contain_text("证书有效")
    expect(page.locator("main")).to_contain_text(COURSE)
    journey.assert_no_horizontal_scroll()
    journey.shot("verify")
