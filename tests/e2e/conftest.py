"""Browser journeys against a live server: Debian's Chromium driven by pytest-playwright.

The site runs in a subprocess (so the browser sees a real server and the test process never
touches its database): a SQLite FILE database migrated and filled by `load_demo`, served by
`runserver --insecure --noreload` with `tests.e2e.settings` (DEBUG off, Argon2, real media, short
lessons, queued background tasks). One site serves the whole session: journeys that change data
pick demo users no other journey relies on. Each journey runs at a phone viewport and a desktop
one and saves screenshots under `test-artifacts/e2e/`. Without /usr/bin/chromium (or without
playwright) the journeys SKIP.
"""

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
AXE_JS = REPO / "node_modules" / "axe-core" / "axe.min.js"
DEMO_PASSWORD = "Mingjian@2026"

VIEWPORTS = {
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "desktop": {"viewport": {"width": 1366, "height": 900}},
}


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


def _skip_reason() -> str | None:
    if not os.access(CHROMIUM, os.X_OK):
        return f"{CHROMIUM} is not installed (run scripts/install-browser.sh)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    return None


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium instead of a Playwright download; skip every journey without it."""
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


def _free_port() -> int:
    """E2E_PORT if set (engineers sharing a machine each keep to their own ports), else any free port."""
    if os.environ.get("E2E_PORT"):
        return int(os.environ["E2E_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class LiveSite:
    url: str
    db_path: Path
    mail_dir: Path
    env: dict

    def query(self, sql: str, params=()) -> list[tuple]:
        """Read the site's database directly (read-only) to know what a page should show."""
        with sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True) as conn:
            return conn.execute(sql, params).fetchall()

    def manage(self, *args: str, **env: str) -> str:
        done = subprocess.run(  # noqa: S603 - fixed argv, our own manage.py
            [sys.executable, "manage.py", *args],
            cwd=REPO,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=900,  # migrate and load_demo on a loaded CI machine
        )
        if done.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def run_tasks(self) -> None:
        """Run the background worker until the queue is empty (what `db_worker` does beside the server)."""
        self.manage("db_worker", "--batch", "--no-startup-delay")

    def mails(self) -> list[str]:
        """The e-mails the site has sent (the file backend writes one file per connection)."""
        return [path.read_text(encoding="utf-8") for path in sorted(self.mail_dir.glob("*.log"))]


@pytest.fixture(scope="session")
def live_site(tmp_path_factory, browser_type_launch_args):
    """Migrate a fresh SQLite file, load the demo, serve it; stop the server afterwards."""
    workdir = tmp_path_factory.mktemp("e2e-site")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="tests.e2e.settings",
        SQLITE_PATH=str(workdir / "db.sqlite3"),
        MEDIA_ROOT=str(workdir / "media"),
        STATIC_ROOT=str(workdir / "static"),
        E2E_MAIL_DIR=str(workdir / "mail"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    env.pop("E2E_IMMEDIATE_TASKS", None)
    port = int(os.environ.get("E2E_PORT") or 0) or _free_port()  # a fixed port when the machine assigns ranges
    site = LiveSite(url=f"http://127.0.0.1:{port}", db_path=workdir / "db.sqlite3", mail_dir=workdir / "mail", env=env)
    site.manage("migrate", "--noinput", E2E_IMMEDIATE_TASKS="1")
    site.manage("load_demo", "--password", DEMO_PASSWORD, E2E_IMMEDIATE_TASKS="1")

    log = open(ARTIFACTS / "server.log", "w")  # noqa: SIM115 - closed in teardown
    server = subprocess.Popen(  # noqa: S603 - fixed argv, our own manage.py
        [sys.executable, "manage.py", "runserver", "--insecure", "--noreload", f"127.0.0.1:{port}"],
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{site.url}/accounts/login/", timeout=30) as response:  # noqa: S310 - loopback
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"live server did not start; see {ARTIFACTS / 'server.log'}")
            time.sleep(0.3)
        yield site
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


class Journey:
    """One journey at one viewport: a page, a screenshot helper, CSP and console watchers."""

    def __init__(self, page, site: LiveSite, name: str, viewport: str):
        self.page = page
        self.site = site
        self.name = name
        self.viewport = viewport
        self.shots = 0
        self.csp_violations: list[str] = []
        self.page_errors: list[str] = []
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.page_errors.append(str(exc)))

    def _on_console(self, msg):
        if msg.type == "error" and "Content Security Policy" in msg.text:
            self.csp_violations.append(msg.text)

    def goto(self, path: str):
        response = self.page.goto(self.site.url + path)
        assert response is not None and response.status < 400, f"{path} answered {response and response.status}"
        return response

    def shot(self, step: str) -> Path:
        self.shots += 1
        path = ARTIFACTS / f"{self.name}-{self.viewport}-{self.shots:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_horizontal_scroll(self):
        """Nothing on the page is wider than a phone screen."""
        # After a click the DOM can be queried before the stylesheets apply; measure the styled page.
        self.page.wait_for_load_state("load")
        overflow = self.page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        if overflow > 1:
            # The culprits: elements past the right edge that no scrolling ancestor contains.
            wide = self.page.evaluate(
                """() => [...document.querySelectorAll('body *')].filter(el => {
                        if (el.getBoundingClientRect().right <= document.documentElement.clientWidth + 1) return false;
                        for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
                            if (getComputedStyle(a).overflowX !== 'visible') return false;
                        }
                        return true;
                    }).slice(0, 5).map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : ''))"""
            )
            path = self.shot("overflow")
            raise AssertionError(
                f"page scrolls sideways by {overflow}px at {self.viewport} ({path.name}); too wide: {wide}"
            )

    def login(self, username: str, password: str = DEMO_PASSWORD, *, here: bool = False):
        """Sign in on the site's login page; `here=True` uses the login page the browser was sent to (keeps ?next=)."""
        if not here:
            self.goto("/accounts/login/")
        self.page.get_by_label("用户名 / 工号").fill(username)
        self.page.get_by_label("密码").fill(password)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_load_state("networkidle")

    def logout(self):
        self.page.get_by_role("button", name="退出").click()
        self.page.wait_for_url(re.compile(r"/accounts/login/"))

    def check_clean(self):
        assert not self.csp_violations, f"CSP violations: {self.csp_violations}"
        assert not self.page_errors, f"JavaScript errors: {self.page_errors}"


@pytest.fixture(params=list(VIEWPORTS), ids=list(VIEWPORTS))
def journey(request, browser, live_site):
    """A fresh browser context at the parametrised viewport, named after the test."""
    viewport = request.param
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **VIEWPORTS[viewport])
    context.set_default_timeout(15_000)
    page = context.new_page()
    name = re.sub(r"\W+", "_", request.node.originalname.removeprefix("test_"))
    j = Journey(page, live_site, name, viewport)
    try:
        yield j
        j.check_clean()
    finally:
        context.close()


# ---------------------------------------------------------------- accessibility

AXE_FAIL_IMPACTS = {"serious", "critical"}


def axe_violations(page) -> list[dict]:
    """Run axe-core in the page (evaluated over the DevTools protocol, so the site's CSP stays strict)."""
    if not AXE_JS.exists():
        pytest.skip(f"{AXE_JS.relative_to(REPO)} missing (run scripts/install-browser.sh)")
    page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return result


def assert_accessible(page, label: str):
    violations = axe_violations(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-{label}.json").write_text(json.dumps(violations, ensure_ascii=False, indent=2), encoding="utf-8")
    bad = [v for v in violations if v["impact"] in AXE_FAIL_IMPACTS]
    assert not bad, f"axe-core found serious/critical problems on {label}:\n" + json.dumps(
        bad, ensure_ascii=False, indent=2
    )
