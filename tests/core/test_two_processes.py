"""Two app servers (gunicorn, separate processes) sharing PostgreSQL and Redis, as in production.

Each test signs in or warms the caches through server A or B, commits a change (through a server, or
in this test process, which shares the same Redis cache: a third process), and asserts the very next
request to the *other* server sees it: signed out, deactivated, password changed, privacy setting, a
trainer's review, an editor's publish. Nothing in the design is per process (sessions, generations and
fragments all live in the shared cache), and these tests prove it over real processes.

Needs Redis (REDIS_URL, default redis://127.0.0.1:6379/4 — CI has Redis at 127.0.0.1:6379); skipped
cleanly without it. Ports: free ones picked per test (TWO_PROCESS_PORTS=a,b to fix them).
"""

import http.client
import os
import socket
import subprocess
import sys
import time
import urllib.parse
import uuid
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/4")
PASSWORD = "Two-process-1"  # noqa: S105 - test data
UNIT = "某省/甲市/东山县/交通运输局"


def _redis_up() -> bool:
    parsed = urllib.parse.urlparse(REDIS_URL)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 6379), timeout=0.5):
            return True
    except OSError:
        return False


pytestmark = [
    pytest.mark.skipif(not _redis_up(), reason=f"no Redis at {REDIS_URL}"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


class Browser:
    """A browser against one server: cookies and CSRF, over http.client."""

    def __init__(self, port: int, cookies: dict | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def on(self, port: int) -> "Browser":
        """The same browser (same cookies) sending its next requests to another server."""
        return Browser(port, self.cookies)

    def request(self, method: str, path: str, fields: dict | None = None) -> tuple[int, str, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if fields is not None:
            fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urllib.parse.urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://localhost:{self.port}{path}"
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        text = response.read().decode("utf-8", "replace")
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                value = rest.split(";", 1)[0]
                if value in ("", '""'):
                    self.cookies.pop(key.strip(), None)
                else:
                    self.cookies[key.strip()] = value
        conn.close()
        return response.status, text, dict(response.getheaders())

    def get(self, path: str) -> tuple[int, str]:
        status, text, _ = self.request("GET", path)
        return status, text

    def login(self, username: str):
        self.get("/accounts/login/")
        status, _, headers = self.request("POST", "/accounts/login/", {"username": username, "password": PASSWORD})
        assert status == 302, "login failed"


def _database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    return f"sqlite:///{Path(s['NAME']).resolve()}"


@pytest.fixture(scope="module")
def prefix():
    return f"two-process-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def shared_cache(settings, prefix):
    """This test process uses the servers' Redis cache too (its writes bump generations there)."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
            "TIMEOUT": 3600,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1, "IGNORE_EXCEPTIONS": True},
        }
    }
    yield
    from django.core.cache import cache

    cache.clear()  # the whole test Redis db: only the per-run prefix is ours, and the db is the test's


@pytest.fixture
def servers(shared_cache, prefix, tmp_path):
    ports = _free_ports(2)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.core.two_process_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": prefix,
        "PYTHONPATH": str(REPO),
    }
    # The servers log to files, never to a pipe nobody reads (a full pipe blocks a worker mid-request);
    # the generous worker timeout keeps a slow boot on a loaded CI machine from being killed.
    logs = [tmp_path / f"gunicorn-{port}.log" for port in ports]
    processes = []
    for port, log in zip(ports, logs, strict=True):
        with open(log, "wb") as stream:
            processes.append(
                subprocess.Popen(  # noqa: S603 - our own command line
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "config.wsgi",
                        "-b",
                        f"127.0.0.1:{port}",
                        "-w",
                        "1",
                        "--threads",
                        "2",
                        "--timeout",
                        "120",
                        "--graceful-timeout",
                        "5",
                    ],
                    cwd=REPO,
                    env=env,
                    stdout=stream,
                    stderr=subprocess.STDOUT,
                )
            )
    try:
        for port, process, log in zip(ports, processes, logs, strict=True):
            _wait_until_serving(port, process, log)
        yield ports
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
        for log in logs:  # shown by pytest only when the test failed
            sys.stderr.write(f"--- {log.name}\n{log.read_text(errors='replace')[-3000:]}\n")


def _free_ports(count: int) -> list[int]:
    """Ports nobody listens on now (TWO_PROCESS_PORTS overrides): fixed ports met other servers on a busy
    machine, and a just-stopped server's port."""
    if os.environ.get("TWO_PROCESS_PORTS"):
        return [int(p) for p in os.environ["TWO_PROCESS_PORTS"].split(",")]
    sockets = [socket.socket() for _ in range(count)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        return [sock.getsockname()[1] for sock in sockets]
    finally:
        for sock in sockets:
            sock.close()


def _wait_until_serving(port: int, process: subprocess.Popen, log: Path):
    """Until the worker has answered a whole request (a bound socket alone says the worker may still boot)."""
    deadline = time.monotonic() + 120
    while True:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/accounts/login/", headers={"Host": "localhost"})
            if conn.getresponse().status == 200:
                conn.close()
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server on {port} did not start:\n{log.read_text(errors='replace')[-2000:]}")
        time.sleep(0.2)


def _cadre():
    from accounts.factories import cadre
    from accounts.roles import Rank

    user = cadre(unit=UNIT, rank=Rank.TOWNSHIP)
    user.set_password(PASSWORD)
    user.save()
    return user


def _signed_in(ports, user) -> tuple[Browser, Browser]:
    """The user signed in on A, the dashboard warm on both servers (session and fragments in the cache)."""
    a = Browser(ports[0])
    a.login(user.username)
    b = a.on(ports[1])
    for browser in (a, b):
        status, html = browser.get("/")
        assert status == 200 and user.name in html
    return a, b


def test_sign_out_on_one_server_holds_on_the_other(servers):
    user = _cadre()
    a, b = _signed_in(servers, user)
    stolen = dict(b.cookies)  # the session cookie as it was, replayed on B after signing out on A
    status, _, _ = a.request("POST", "/accounts/logout/", {})
    assert status == 302
    status, html = Browser(servers[1], stolen).get("/")
    assert user.name not in html


def test_deactivation_holds_at_once_on_both_servers(servers):
    from accounts.models import User

    user = _cadre()
    a, b = _signed_in(servers, user)
    User.objects.filter(pk=user.pk).update(is_active=False)  # not even a signal: Django checks every request
    for browser in (a, b):
        assert user.name not in browser.get("/")[1]


def test_password_change_signs_out_other_sessions_at_once(servers):
    user = _cadre()
    a, b = _signed_in(servers, user)
    user.set_password("Another-pass-2")
    user.save()
    for browser in (a, b):
        assert user.name not in browser.get("/")[1]


def test_privacy_setting_holds_at_once_on_the_other_server(servers):
    from django.contrib.auth.models import Group
    from wagtail.models import PageViewRestriction

    from learning import factories

    user = _cadre()
    lesson = factories.lesson(course=factories.course(), text="<p>保密课时正文。</p>")
    a, b = _signed_in(servers, user)
    for browser in (a, b):
        status, html = browser.get(lesson.url)
        assert status == 200 and "保密课时正文" in html
    restriction = PageViewRestriction.objects.create(page=lesson, restriction_type=PageViewRestriction.GROUPS)
    restriction.groups.set([Group.objects.create(name="专班")])
    for browser in (b, a):
        status, html = browser.get(lesson.url)
        assert "保密课时正文" not in html


def test_trainer_review_shows_on_the_cadres_pages_on_the_other_server(servers):
    from accounts.factories import trainer
    from learning import factories, services
    from learning.models import Enrolment

    user = _cadre()
    course = factories.course(title="审阅课程", lessons=1)
    lesson = course.lessons().first()
    Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
    reflection = services.reflection_submit(user=user, page=lesson, body="学习体会：" + "认真学习，" * 10)
    a, b = _signed_in(servers, user)
    for browser in (a, b):
        assert "审阅意见" not in browser.get(lesson.url)[1]
    services.reflection_review(
        by=trainer("某省/甲市"), reflection=reflection, accept=False, comment="请结合本单位实际再写"
    )
    for browser in (b, a):
        html = browser.get(lesson.url)[1]
        assert "请结合本单位实际再写" in html


def test_editor_publish_shows_for_cadres_on_both_servers(servers):
    from learning import factories
    from learning.models import Enrolment

    user = _cadre()
    course = factories.course(title="旧课程名", lessons=1)
    lesson = course.lessons().first()
    lesson.body = [("text", "<p>第一版正文。</p>")]
    lesson.save_revision().publish()
    Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
    a, b = _signed_in(servers, user)
    for browser in (a, b):
        assert "旧课程名" in browser.get("/")[1]
        assert "第一版正文" in browser.get(lesson.url)[1]
    # A draft (the admin's autosave) shows to nobody; the publish shows at once on both servers.
    lesson.body = [("text", "<p>第二版正文。</p>")]
    revision = lesson.save_revision()
    assert "第一版正文" in b.get(lesson.url)[1]
    revision.publish()
    course.title = "新课程名"
    course.save_revision().publish()
    for browser in (b, a):
        html = browser.get(lesson.url)[1]
        assert "第二版正文" in html and "第一版正文" not in html
        assert "新课程名" in browser.get("/")[1]
