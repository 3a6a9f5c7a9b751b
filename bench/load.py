"""Load scenario on loopback: gunicorn on PostgreSQL (and Redis, with REDIS_URL) with demo data.

    .venv/bin/python bench/load.py [--users 200] [--cadres 10000] [--seconds 60] [--skip-setup]
    .venv/bin/python bench/load.py --rush --users 150 --seconds 60 --port 8140 --presign --skip-setup
    .venv/bin/python bench/load.py --find-capacity --seconds 45 --port 8140 --skip-setup   # or --ramp 25,50,100

`--rush` is the year-end study rush of a province (issue 18): every cadre has a lesson open and sends a
heartbeat every 30 s (the dominant request); between beats a cadre now and then opens the dashboard,
the case library, a case page, searches, or starts a quiz, saves answers and submits; one trainer drills
down the unit reports and exports a CSV; one editor keeps a case open in the admin (a draft revision
saved twice a second, as Wagtail's autosave does: the Page row is saved and post_save sent) and publishes
a case every 30 s. `--presign` signs the cadres in by writing their sessions directly (Argon2 logins of
hundreds of cadres would otherwise be most of a short run's CPU); 20 real logins are still measured.
Each simulated cadre keeps the pages it was given with an ETag and revalidates them (If-None-Match), as a
browser does; 304 answers are counted. `--ramp 25,50,100` / `--find-capacity` run rush steps of growing
size on one server and print the capacity: the largest number of cadres whose reads stay at p95 < 150 ms
with 0 errors.

1. Sets up a PostgreSQL database (BENCH_DATABASE_URL, default .../mingjian_bench): drop,
   migrate, load_demo, and `bench_data --cadres N` (10,000 generated cadres by default, with
   units, assignments, progress and credits). The signed-in cadres are the demo cadres plus
   generated ones, all given the demo password.
2. Starts gunicorn (2 workers x 4 threads, production settings over plain HTTP, see
   bench/settings.py) on 127.0.0.1.
3. Baseline: a bare Django view (bench/urls.py), 16 concurrent clients for 10 s.
4. Login storm: the 200 cadres log in, evenly spread over 60 s (Argon2: ~0.13 s CPU each).
5. Mix: the 200 signed-in cadres for 60 s, each waiting 1-5 s between actions, choosing among
   the actions that exist on this build (probed at start, listed in the output): dashboard,
   lesson pages, lesson heartbeats, case library, case pages, case-reading heartbeats, search,
   quiz submits.
Prints errors, p50/p95/p99 per kind (reads, writes/submits, logins) and each as a ratio of the
bare view's figure. Targets (issue 8): 0 errors; reads p95 < 100 ms, p99 < 300 ms; submits p99 < 500 ms.

Client and server share this 2-core machine, so client CPU time is included in the figures.
Uses only the standard library on the client side (threads + http.client).
"""

import argparse
import contextlib
import http.client
import io
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable
PASSWORD = "Mingjian@2026"  # noqa: S105 - the documented demo password


# ---------------------------------------------------------------- HTTP client with cookies

FAILED: list[str] = []  # "status METHOD path" of every 4xx/5xx answer, printed at the end
FAILED_LOCK = threading.Lock()
NOT_MODIFIED: list[str] = []  # paths answered 304 (a browser revalidating its copy, issue 18)
ACTION = threading.local()  # the mix action a thread is running, for the per-action breakdown


class Browser:
    """One simulated cadre: a keep-alive connection, cookies, the CSRF token."""

    def __init__(self, port: int):
        self.port = port
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.etags: dict[str, str] = {}  # path -> ETag of the copy this "browser" keeps (revalidated on GET)

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method == "GET" and path in self.etags:
            headers["If-None-Match"] = self.etags[path]
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, OSError):
                # A timed-out or dropped keep-alive connection cannot be reused: start a new one.
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt:
                    raise
        if response.status >= 400:
            with FAILED_LOCK:
                FAILED.append(f"{response.status} {method} {path}")
        if method == "GET":
            etag = response.getheader("ETag")
            if response.status == 200 and etag:
                self.etags[path] = etag
            elif response.status == 304:
                with FAILED_LOCK:
                    NOT_MODIFIED.append(path)
            else:
                self.etags.pop(path, None)
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, response

    def lesson(self, lessons: list[tuple[int, str]]) -> tuple[int, str]:
        """The lesson this cadre is studying (chosen once, like one open tab)."""
        if not hasattr(self, "_lesson"):
            self._lesson = random.choice(lessons)
        return self._lesson

    def form_post(self, path: str, fields: dict):
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        body = urllib.parse.urlencode(fields).encode()
        return self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": f"http://127.0.0.1:{self.port}{path}",
            },
        )

    def api_post(self, path: str, payload: dict):
        return self.request(
            "POST",
            path,
            json.dumps(payload).encode(),
            {
                "Content-Type": "application/json",
                "X-CSRFToken": self.cookies.get("csrftoken", ""),
                "Referer": f"http://127.0.0.1:{self.port}/",
            },
        )


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, list[str]] = defaultdict(list)
        self.by_action: dict[str, list[float]] = defaultdict(list)

    def timed(self, kind: str, fn, ok=lambda status: status < 400):
        start = time.perf_counter()
        try:
            status, data, _resp = fn()
        except Exception as exc:  # noqa: BLE001 - every failure is a counted error
            with self.lock:
                self.errors[kind].append(type(exc).__name__)
            return None
        elapsed = time.perf_counter() - start
        action = getattr(ACTION, "name", None)
        with self.lock:
            self.times[kind].append(elapsed)
            if action:
                self.by_action[action].append(elapsed)
            if not ok(status):
                self.errors[kind].append(str(status))
        return status, data


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


# ---------------------------------------------------------------- setup


def manage(env, *args, check=True):
    return subprocess.run([PY, "manage.py", *args], cwd=REPO, env=env, check=check, capture_output=True, text=True)


def setup_database(env, db_url: str, cadres: int):
    parsed = urllib.parse.urlparse(db_url)
    name = parsed.path.lstrip("/")
    admin_env = {
        **env,
        "PGHOST": parsed.hostname or "127.0.0.1",
        "PGPORT": str(parsed.port or 5432),
        "PGUSER": parsed.username or "postgres",
    }
    subprocess.run(["dropdb", "--if-exists", "--force", name], env=admin_env, check=True)
    subprocess.run(["createdb", name], env=admin_env, check=True)
    t = time.perf_counter()
    manage(env, "migrate", "--noinput")
    manage(env, "load_demo", "--password", PASSWORD)
    if "bench_data" in manage(env, "help", "--commands").stdout.split():
        manage(env, "bench_data", "--cadres", str(cadres))
    print(f"setup: migrate + demo in {time.perf_counter() - t:.0f} s")


def django_snippet(env, code: str) -> str:
    script = "import django; django.setup()\n" + code
    return subprocess.run([PY, "-c", script], cwd=REPO, env=env, check=True, capture_output=True, text=True).stdout


def cadre_usernames(env, users: int) -> list[str]:
    """The demo cadres first, then generated ones; every chosen account gets the demo password."""
    code = f"""
from django.contrib.auth.hashers import make_password
from accounts.models import CadreProfile, User
profiles = CadreProfile.objects.filter(user__is_active=True).select_related("user")
demo = list(profiles.filter(employee_no__startswith="D").order_by("employee_no").values_list("user__username", flat=True))
rest = list(profiles.exclude(employee_no__startswith="D").order_by("employee_no").values_list("user__username", flat=True)[:{users}])
chosen = (demo + rest)[:{users}]
User.objects.filter(username__in=chosen).update(password=make_password({PASSWORD!r}))
# Lessons credit study only to enrolled cadres (issue 21): every chosen cadre takes the demo courses.
from django.utils import timezone
from learning.models import CoursePage, Enrolment
year = timezone.localdate().year
users = list(User.objects.filter(username__in=chosen))
courses = list(CoursePage.objects.live())
Enrolment.objects.bulk_create(
    [Enrolment(user=u, course=c, year=year, source="self") for u in users for c in courses], ignore_conflicts=True
)
# Lowest rank first: the first cadre probes the site, so every page it finds is open to all of them.
rank = dict(profiles.filter(user__username__in=chosen).values_list("user__username", "rank"))
print(" ".join(sorted(chosen, key=lambda name: rank[name])))
"""
    return django_snippet(env, code).split()


def lesson_urls(env) -> list[tuple[int, str]]:
    """Live lessons of the demo courses (id, URL): what a cadre opens and sends heartbeats for."""
    code = """
from learning.models import LessonPage
for lesson in LessonPage.objects.live().exclude(url_path__contains="bench-course").order_by("path")[:40]:
    print(lesson.pk, lesson.url)
"""
    return [(int(i), url) for i, url in (line.split() for line in django_snippet(env, code).splitlines() if line)]


def discover(port: int, username: str) -> dict:
    """What this build offers: case pages, lessons, quizzes, search (probed as one cadre)."""
    b = Browser(port)
    b.request("GET", "/accounts/login/")
    b.form_post("/accounts/login/", {"username": username, "password": PASSWORD})
    found = {"case_urls": [], "case_ids": [], "search": None, "lesson_ids": [], "quiz_ids": []}
    status, data, resp = b.request("GET", "/case-library/")
    if status in (301, 302):
        index = resp.getheader("Location")
        status, data, _ = b.request("GET", index)
        if status == 200:
            found["case_index"] = index
            links = sorted(set(re.findall(rf'href="({re.escape(index)}[^"?#]+/)"', data.decode())))
            found["case_urls"] = links[:30]
            for url in found["case_urls"][:10]:
                s, page, _ = b.request("GET", url)
                m = re.search(r'data-case-id="(\d+)"|/api/v1/cases/(\d+)/read', page.decode())
                if m:
                    found["case_ids"].append(int(m.group(1) or m.group(2)))
    status, data, _ = b.request("GET", "/quizzes/")
    if status == 200:
        found["quiz_ids"] = sorted({int(i) for i in re.findall(r'href="/quizzes/(\d+)/"', data.decode())})
    status, _, _ = b.request("GET", "/api/v1/search?q=" + urllib.parse.quote("监督"))
    if status == 200:
        found["search"] = "/api/v1/search?q="
    status, data, _ = b.request("GET", "/api/v1/openapi.json")
    if status == 200:
        paths = json.loads(data).get("paths", {})
        found["api_paths"] = sorted(paths)
    return found


# ---------------------------------------------------------------- phases


def run_baseline(port: int, seconds: float, clients: int, rec: Recorder):
    deadline = time.monotonic() + seconds

    def loop():
        b = Browser(port)
        while time.monotonic() < deadline:
            rec.timed("bare", lambda: b.request("GET", "/bench/bare/"))

    threads = [threading.Thread(target=loop) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def run_login_storm(port: int, usernames: list[str], users: int, seconds: float, rec: Recorder) -> list[Browser]:
    browsers: list[Browser | None] = [None] * users
    start = time.monotonic()

    def one(i: int):
        time.sleep(max(0.0, start + i * seconds / users - time.monotonic()))
        b = Browser(port)
        rec.timed("login page", lambda: b.request("GET", "/accounts/login/"))
        result = rec.timed(
            "login",
            lambda: b.form_post("/accounts/login/", {"username": usernames[i % len(usernames)], "password": PASSWORD}),
            ok=lambda status: status == 302,
        )
        if result and result[0] == 302:
            browsers[i] = b

    threads = [threading.Thread(target=one, args=(i,)) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return [b for b in browsers if b is not None]


def build_mix(found: dict):
    """(name, kind, weight, action(browser, rec)) for what exists on this build."""
    mix = [("dashboard", "read", 4, lambda b, rec: rec.timed("read", lambda: b.request("GET", "/")))]
    if found["lessons"]:
        mix.append(
            (
                "lesson page",
                "read",
                3,
                lambda b, rec: rec.timed("read", lambda: b.request("GET", b.lesson(found["lessons"])[1])),
            )
        )
        # A visible lesson tab beats every interval; one simulated cadre studies one lesson at a time.
        mix.append(
            (
                "lesson heartbeat",
                "write",
                4,
                lambda b, rec: rec.timed(
                    "write", lambda: b.api_post(f"/api/v1/lessons/{b.lesson(found['lessons'])[0]}/heartbeat", {})
                ),
            )
        )
    if found.get("case_index"):
        mix.append(
            ("case library", "read", 2, lambda b, rec: rec.timed("read", lambda: b.request("GET", found["case_index"])))
        )
    if found["case_urls"]:
        mix.append(
            (
                "case page",
                "read",
                3,
                lambda b, rec: rec.timed("read", lambda: b.request("GET", random.choice(found["case_urls"]))),
            )
        )
    if found["case_ids"]:
        mix.append(
            (
                "case heartbeat",
                "write",
                3,
                lambda b, rec: rec.timed(
                    "write",
                    lambda: b.api_post(f"/api/v1/cases/{random.choice(found['case_ids'])}/read", {"seconds": 15}),
                ),
            )
        )
    if found["search"]:
        words = ["监督", "一把手", "违规收受礼金", "工程项目", "形式主义"]
        mix.append(
            (
                "search",
                "read",
                2,
                lambda b, rec: rec.timed(
                    "read", lambda: b.request("GET", found["search"] + urllib.parse.quote(random.choice(words)))
                ),
            )
        )
    if found["quiz_ids"]:
        mix.append(("quiz list", "read", 1, lambda b, rec: rec.timed("read", lambda: b.request("GET", "/quizzes/"))))
        mix.append(("quiz start + submit", "submit", 1, quiz_start_submit(found["quiz_ids"])))
    return mix


def quiz_start_submit(quiz_ids):
    """Start (or resume) an attempt, then submit it. A refusal by the rules (no attempts left) is not an error."""

    def action(b, rec):
        result = rec.timed(
            "write",
            lambda: b.api_post(f"/api/v1/quizzes/{random.choice(quiz_ids)}/attempts", {}),
            ok=lambda status: status in (200, 400, 403),
        )
        if result and result[0] == 200:
            attempt = json.loads(result[1])
            rec.timed("submit", lambda: b.api_post(f"/api/v1/attempts/{attempt['id']}/submit", {}))

    return action


def run_mix(browsers: list[Browser], mix, seconds: float, rec: Recorder):
    deadline = time.monotonic() + seconds
    weights = [m[2] for m in mix]

    def loop(b: Browser):
        time.sleep(random.uniform(0, 5))
        while time.monotonic() < deadline:
            name, _kind, _w, action = random.choices(mix, weights)[0]
            ACTION.name = name
            action(b, rec)
            ACTION.name = None
            time.sleep(random.uniform(1, 5))

    threads = [threading.Thread(target=loop, args=(b,)) for b in browsers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


# ---------------------------------------------------------------- the year-end study rush (--rush)

BEAT_SECONDS = 30


def presign(env, usernames: list[str]) -> dict[str, str]:
    """username -> session key of a session signed in as that cadre, written by the build's own engine."""
    code = f"""
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from accounts.models import User
Store = import_module(settings.SESSION_ENGINE).SessionStore
backend = settings.AUTHENTICATION_BACKENDS[-1]
for user in User.objects.filter(username__in={usernames!r}):
    s = Store()
    s[SESSION_KEY] = str(user.pk)
    s[BACKEND_SESSION_KEY] = backend
    s[HASH_SESSION_KEY] = user.get_session_auth_hash()
    s.create()
    print(user.username, s.session_key)
"""
    return dict(line.split() for line in django_snippet(env, code).splitlines() if line.strip())


def signed_in(port: int, session_key: str) -> Browser:
    b = Browser(port)
    b.cookies["sessionid"] = session_key
    b.request("GET", "/accounts/login/")  # the CSRF cookie
    return b


def rush_cadre(b: Browser, found: dict, deadline: float, rec: Recorder):
    """One cadre with a lesson tab open: the page, a beat at once (it fills the progress) and every 30 s;
    now and then another page or a quiz between beats."""
    lesson_id, lesson_url = b.lesson(found["lessons"])
    others = []
    others.append((4, "dashboard", lambda: rec.timed("read", lambda: b.request("GET", "/"))))
    if found.get("case_index"):
        others.append((2, "case library", lambda: rec.timed("read", lambda: b.request("GET", found["case_index"]))))
    if found["case_urls"]:
        others.append(
            (3, "case page", lambda: rec.timed("read", lambda: b.request("GET", random.choice(found["case_urls"]))))
        )
    if found["search"]:
        words = ["监督", "一把手", "违规收受礼金", "工程项目", "形式主义"]
        others.append(
            (
                2,
                "search",
                lambda: rec.timed(
                    "read", lambda: b.request("GET", found["search"] + urllib.parse.quote(random.choice(words)))
                ),
            )
        )
    if found["quiz_ids"]:
        others.append((1, "quiz start/save/submit", lambda: quiz_session(b, found["quiz_ids"], rec)))
    weights = [w for w, _n, _a in others]

    def beat():
        ACTION.name = "lesson heartbeat"
        rec.timed("write", lambda: b.api_post(f"/api/v1/lessons/{lesson_id}/heartbeat", {}))

    time.sleep(random.uniform(0, BEAT_SECONDS))  # cadres arrive spread over one beat interval
    ACTION.name = "lesson page"
    rec.timed("read", lambda: b.request("GET", lesson_url))
    beat()  # the page's script beats on load
    next_beat = time.monotonic() + BEAT_SECONDS
    next_other = time.monotonic() + random.uniform(10, 80)
    while True:
        wake = min(next_beat, next_other)
        if wake >= deadline:
            return
        time.sleep(max(0.0, wake - time.monotonic()))
        if next_beat <= next_other:
            beat()
            next_beat += BEAT_SECONDS
        else:
            _w, name, action = random.choices(others, weights)[0]
            ACTION.name = name
            action()
            next_other = time.monotonic() + random.uniform(10, 80)
        ACTION.name = None


def quiz_session(b: Browser, quiz_ids, rec: Recorder):
    """Start (or resume) an attempt, save up to three answers, submit. A refusal by the rules is no error."""
    result = rec.timed(
        "write",
        lambda: b.api_post(f"/api/v1/quizzes/{random.choice(quiz_ids)}/attempts", {}),
        ok=lambda status: status in (200, 400, 403),
    )
    if not result or result[0] != 200:
        return
    attempt = json.loads(result[1])
    for question in attempt.get("questions", [])[:3]:
        choices = question.get("choices") or []
        answer = [choices[0]["id"]] if choices else "依法依规履职尽责"
        ACTION.name = "quiz save"
        rec.timed(
            "write",
            lambda q=question, a=answer: b.request(
                "PUT",
                f"/api/v1/attempts/{attempt['id']}/answers/{q['id']}",
                json.dumps({"answer": a, "sequence": q["sequence"]}).encode(),
                {"Content-Type": "application/json", "X-CSRFToken": b.cookies.get("csrftoken", "")},
            ),
        )
    ACTION.name = "quiz submit"
    rec.timed("submit", lambda: b.api_post(f"/api/v1/attempts/{attempt['id']}/submit", {}))


def rush_trainer(b: Browser, deadline: float, rec: Recorder):
    """A trainer drilling down the unit reports and exporting, one click every 2-4 s."""
    status, data, _ = b.request("GET", "/reports/")
    units = (
        sorted({int(u) for u in re.findall(r'href="/reports/units/(\d+)/"', data.decode())})[:10]
        if status == 200
        else []
    )
    while time.monotonic() < deadline:
        unit = random.choice(units) if units else None
        pages = ["/reports/", "/reports/courses/"]
        if unit:
            pages += [f"/reports/units/{unit}/", f"/reports/units/{unit}/cadres/"]
        if random.random() < 0.2:
            ACTION.name = "trainer export"
            path = "/reports/export.csv?view=units" + (f"&unit={unit}" if unit else "")
        else:
            ACTION.name = "trainer drill-down"
            path = random.choice(pages)
        rec.timed("trainer", lambda p=path: b.request("GET", p))
        ACTION.name = None
        time.sleep(random.uniform(2, 4))


EDITOR_CODE = """
import random, sys, time
from cases.models import CaseStudyPage
from accounts.models import User
editor = User.objects.filter(is_superuser=True).first()
cases = list(CaseStudyPage.objects.live().order_by("pk")[:5])
open_case = cases[0]
deadline = time.monotonic() + float(sys.argv[1])
next_publish = time.monotonic() + 30
autosaves = publishes = 0
while time.monotonic() < deadline:
    page = CaseStudyPage.objects.get(pk=open_case.pk)
    page.title = page.title.rstrip("*") + "*"  # a draft edit: saved as a revision, not published
    page.save_revision(user=editor)
    autosaves += 1
    if time.monotonic() >= next_publish:
        case = CaseStudyPage.objects.get(pk=random.choice(cases[1:]).pk)
        case.save_revision(user=editor).publish(user=editor)
        publishes += 1
        next_publish += 30
    time.sleep(0.5)
print(autosaves, publishes)
"""


def run_rush(port: int, env, found: dict, sessions: list[str], trainer: Browser | None, seconds: float, rec: Recorder):
    deadline = time.monotonic() + seconds
    editor = subprocess.Popen(
        [PY, "-c", "import django; django.setup()\n" + EDITOR_CODE, str(seconds)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    threads = [
        threading.Thread(target=rush_cadre, args=(signed_in(port, key), found, deadline, rec)) for key in sessions
    ]
    if trainer is not None:
        threads.append(threading.Thread(target=rush_trainer, args=(trainer, deadline, rec)))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out, err = editor.communicate(timeout=120)
    print(f"editor: {out.strip() or err.strip()[-300:]} (autosaves, publishes)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cadres", type=int, default=10000, help="generated cadres (bench_data) besides the demo")
    parser.add_argument("--skip-setup", action="store_true", help="reuse the database of an earlier run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "0")) or None)
    parser.add_argument("--rush", action="store_true", help="the year-end study rush mix (see the docstring)")
    parser.add_argument("--presign", action="store_true", help="write the cadres' sessions instead of logging in")
    parser.add_argument("--logins", type=int, default=20, help="with --presign: real logins measured")
    parser.add_argument(
        "--ramp",
        default="",
        help="with --rush --presign: comma-separated cadre counts (e.g. 25,50,100,150,200), one rush of --seconds "
        "each on the same server, stopping after the first step whose reads p95 >= 150 ms or that has errors; "
        "prints the capacity (the largest count that passed)",
    )
    parser.add_argument("--find-capacity", action="store_true", help="--ramp 25,50,75,100,150,200,300")
    parser.add_argument(
        "--keep-going", action="store_true", help="with --ramp: run every step even after one failed (a curve)"
    )
    args = parser.parse_args()
    if args.find_capacity and not args.ramp:
        args.ramp = "25,50,75,100,150,200,300"
    steps = [int(n) for n in args.ramp.split(",") if n.strip()]
    if steps:
        args.rush = args.presign = True
        args.users = max(steps)

    db_url = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mingjian_bench")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "DATABASE_URL": db_url}
    env.pop("SQLITE_PATH", None)
    if not args.skip_setup:
        setup_database(env, db_url, args.cadres)
    usernames = cadre_usernames(env, args.users)
    lessons = lesson_urls(env)
    port = args.port or 18000 + os.getpid() % 1000
    (REPO / "bench" / "results").mkdir(exist_ok=True)
    log = open(REPO / "bench" / "results" / "gunicorn.log", "w")  # noqa: SIM115
    sys.path.insert(0, str(REPO))  # run as a script: bench/ is on the path, not the project
    from bench.server import gunicorn

    with log, gunicorn(port, env=env, workers=args.workers, threads=args.threads, keep_alive=30, log=log):
        found = discover(port, usernames[0])
        found["lessons"] = lessons
        mix = build_mix(found)
        print(f"cadre accounts: {len(usernames)}; gunicorn {args.workers}x{args.threads} on PostgreSQL")
        print("mix: " + ", ".join(f"{name} ({kind}, w{w})" for name, kind, w, _ in mix))
        print("API operations on this build: " + ", ".join(found.get("api_paths", [])))

        rec = Recorder()
        run_baseline(port, 10, 16, rec)
        if steps:
            run_ramp(port, env, found, usernames, steps, args.seconds, rec, keep_going=args.keep_going)
            return
        if args.rush:
            if args.presign:
                keys = presign(env, usernames)
                sessions = [keys[name] for name in usernames if name in keys]
                run_login_storm(port, usernames, min(args.logins, len(usernames)), 10, rec)
            else:
                sessions = [
                    b.cookies["sessionid"] for b in run_login_storm(port, usernames, args.users, args.seconds, rec)
                ]
            trainer = Browser(port)
            trainer.request("GET", "/accounts/login/")
            trainer.form_post("/accounts/login/", {"username": "trainer_jia", "password": PASSWORD})
            print(f"rush: {len(sessions)} cadres, 1 trainer, 1 editor, {args.seconds:.0f} s")
            run_rush(port, env, found, sessions, trainer, args.seconds, rec)
            print(f"load average after the run: {os.getloadavg()[0]:.1f} (2 cores; other work on the machine counts)")
            report(rec)
            return
        t = time.monotonic()
        browsers = run_login_storm(port, usernames, args.users, args.seconds, rec)
        print(f"login storm: {len(browsers)}/{args.users} signed in within {time.monotonic() - t:.0f} s")
        run_mix(browsers, mix, args.seconds, rec)
        print(f"load average after the run: {os.getloadavg()[0]:.1f} (2 cores; other work on the machine counts)")
        report(rec)


CAPACITY_P95_MS = 150


def run_ramp(
    port: int,
    env,
    found: dict,
    usernames: list[str],
    steps: list[int],
    seconds: float,
    base: Recorder,
    *,
    keep_going=False,
):
    """Rush steps of growing size on one server until reads p95 >= 150 ms or an error: the capacity is the
    largest step that passed. Each step has fresh browsers (no kept copies) and its own short bare-view
    baseline, so a step's ratio is against the machine's state at that moment."""
    keys = presign(env, usernames)
    sessions = [keys[name] for name in usernames if name in keys]
    trainer = Browser(port)
    trainer.request("GET", "/accounts/login/")
    trainer.form_post("/accounts/login/", {"username": "trainer_jia", "password": PASSWORD})
    bare95 = pct(base.times["bare"], 95)
    print(f"ramp: steps {steps}, {seconds:.0f} s each; bare view p95 at the start {bare95:.1f} ms")
    print(
        f"{'cadres':>7}{'reads':>7}{'p50':>8}{'p95':>8}{'p99':>8}{'bare p95':>9}{'p95/bare':>9}{'writes p95':>11}"
        f"{'errors':>7}{'304s':>6}{'load':>6}  result"
    )
    capacity = 0
    passed: list[bool] = []
    for n in steps:
        rec = Recorder()
        run_baseline(port, 5, 16, rec)
        del NOT_MODIFIED[:]
        with contextlib.redirect_stdout(io.StringIO()):
            run_rush(port, env, found, sessions[:n], trainer, seconds, rec)
        reads = rec.times.get("read", [])
        errors = sum(len(v) for v in rec.errors.values())
        p50, p95, p99 = (pct(reads, p) for p in (50, 95, 99))
        b95 = pct(rec.times["bare"], 95)
        ok = bool(reads) and p95 < CAPACITY_P95_MS and errors == 0
        load = os.getloadavg()[0]
        print(
            f"{n:>7}{len(reads):>7}{p50:>8.0f}{p95:>8.0f}{p99:>8.0f}{b95:>9.1f}{p95 / b95:>8.1f}x"
            f"{pct(rec.times.get('write', []), 95):>11.0f}{errors:>7}{len(NOT_MODIFIED):>6}{load:>6.1f}  "
            f"{'PASS' if ok else 'FAIL'}",
            flush=True,
        )
        if errors:
            print("  errors:", {k: sorted(set(v))[:5] for k, v in rec.errors.items() if v})
        passed.append(ok)
        if all(passed):
            capacity = n
        elif not keep_going:
            break
    print(
        f"capacity: {capacity} concurrent cadres with reads p95 < {CAPACITY_P95_MS} ms and 0 errors"
        + ("" if capacity else " (the first step already failed)")
        + f"; load average now {os.getloadavg()[0]:.1f}"
    )


def report(rec: Recorder):
    bare50, bare95, bare99 = (pct(rec.times["bare"], p) for p in (50, 95, 99))
    print(
        f"\nbaseline bare view: {len(rec.times['bare'])} requests, {len(rec.times['bare']) / 10:.0f}/s, "
        f"p50 {bare50:.1f} ms, p95 {bare95:.1f} ms, p99 {bare99:.1f} ms"
    )
    print(f"{'kind':<12}{'n':>6}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p95/bare':>10}{'p99/bare':>10}")
    for kind in ("read", "write", "submit", "trainer", "login page", "login"):
        times = rec.times.get(kind, [])
        if not times and not rec.errors.get(kind):
            continue
        p50, p95, p99 = (pct(times, p) for p in (50, 95, 99))
        print(
            f"{kind:<12}{len(times):>6}{len(rec.errors.get(kind, [])):>8}{p50:>9.1f}{p95:>9.1f}{p99:>9.1f}"
            f"{p95 / bare95:>9.1f}x{p99 / bare99:>9.1f}x"
        )
    print("by action:")
    for action, times in sorted(rec.by_action.items()):
        print(
            f"  {action:<22}{len(times):>6}  p50 {pct(times, 50):7.1f}  p95 {pct(times, 95):7.1f}  p99 {pct(times, 99):7.1f} ms"
        )
    errors = {k: sorted(set(v)) for k, v in rec.errors.items() if v}
    print("errors:", errors or "none")
    print(f"304 Not Modified (a kept copy revalidated): {len(NOT_MODIFIED)}")
    if FAILED:
        counts = defaultdict(int)
        for line in FAILED:
            counts[line] += 1
        print(
            "4xx/5xx answers (expected refusals included):",
            ", ".join(f"{line} x{n}" for line, n in sorted(counts.items(), key=lambda kv: -kv[1])[:15]),
        )
    if rec.times.get("read"):
        ok = pct(rec.times["read"], 95) < 150 and not any(rec.errors.values())
        print(
            f"capacity check: reads p95 {pct(rec.times['read'], 95):.0f} ms < 150 and 0 errors: {'PASS' if ok else 'FAIL'}"
        )
        print(
            f"targets: reads p95 {pct(rec.times['read'], 95):.0f} ms (<100), p99 {pct(rec.times['read'], 99):.0f} ms (<300); "
            f"submits p99 {pct(rec.times.get('submit', []), 99):.0f} ms (<500)"
        )


if __name__ == "__main__":
    main()
