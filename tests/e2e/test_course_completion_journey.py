"""A demo cadre completes a course in the browser, from the first lesson to the certificate;
the certificate verifies at its public URL and the 学时 show on the dashboard."""

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, DEMO_PASSWORD, REPO, VIEWPORTS, Journey, LiveSite, _free_port


@pytest.fixture(scope="module")
def short_lesson_site(tmp_path_factory, browser_type_launch_args):
    workdir = tmp_path_factory.mktemp("e2e-learning")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.e2e.learning_settings", SQLITE_PATH=str(workdir / "db.sqlite3"),
        MEDIA_ROOT=str(workdir / "media"), STATIC_ROOT=str(workdir / "static"), PYTHONUNBUFFERED="1",
    )
    port = _free_port()
    site = LiveSite(url=f"http://127.0.0.1:{port}", db_path=workdir / "db.sqlite3", env=env)
    site.manage("migrate", "--noinput")
    site.manage("load_demo", "--password", DEMO_PASSWORD)
    log = open(ARTIFACTS / "server-learning.log", "w")  # noqa: SIM115 - closed in teardown
    server = subprocess.Popen(  # noqa: S603 - fixed argv, our own manage.py
        [sys.executable, "manage.py", "runserver", "--insecure", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{site.url}/accounts/login/", timeout=5):  # noqa: S310 - loopback
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("live server did not start") from None
                time.sleep(0.3)
        yield site
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_cadre_completes_a_course_and_the_certificate_verifies(browser, short_lesson_site):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **VIEWPORTS["phone"])
    context.set_default_timeout(20_000)
    journey = Journey(context.new_page(), short_lesson_site, "course_completion", "phone")
    page = journey.page
    try:
        journey.login("D0006")
        panel = page.locator(".my-courses")
        expect(panel).to_contain_text("已逾期")
        journey.shot("dashboard-before")

        journey.goto("/learning/courses/")
        page.get_by_role("link", name="入学导学：明鉴平台学习要求").click()
        page.get_by_role("button", name="选学本课程").click()
        expect(page.locator(".course-status")).to_contain_text("已学完 0 / 3 个课时")
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
        pdf = page.request.get(short_lesson_site.url + href)
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert pdf.body().startswith(b"%PDF")

        journey.goto("/")
        expect(page.locator(".profile-card")).to_contain_text(re.compile(r"年已获 0\.25 / "))
        expect(panel).to_contain_text("入学导学")
        journey.shot("dashboard-after")
        journey.logout()

        journey.goto(f"/verify/{code}/")
        expect(page.locator("main")).to_contain_text("证书有效")
        expect(page.locator("main")).to_contain_text("入学导学：明鉴平台学习要求")
        journey.shot("verify")
        journey.check_clean()
    finally:
        context.close()
