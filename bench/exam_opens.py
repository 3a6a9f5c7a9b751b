"""Scenario "exam at one moment" (issue 20, target 1): a county's cadres take the same timed quiz together.

1. A bench-only PostgreSQL database is created and migrated; a 16-question timed quiz (10 单选 with
   shuffled options, 3 多选, 2 判断, 1 填空) is made, and N cadres are imported from a roster CSV through
   the real roster import service (`accounts.services.roster_import_file`, with an initial password).
2. The server is gunicorn with the deployment's own configuration (`-c deploy/gunicorn.conf.py`:
   2 × cores + 1 gthread workers × 4 threads) serving `bench.wsgi` (production settings over HTTP).
3. Every cadre signs in through the browser pages at a random moment of the sign-in window (the login
   form; with --first-sign-in also the forced change of the roster's initial password, otherwise the
   cadres are taken to have changed it on an earlier day), and opens the quiz page.
4. At one moment every cadre presses 开始答题 within `--jitter` seconds: POST the start form, then the
   first read of the attempt (the attempt page it redirects to). Each then answers the 16 questions
   one by one after a 3–9 s think time each (PUT to the JSON API, as static/js/quiz.js does) and submits
   the form.
5. Afterwards the database is checked: one attempt per cadre, finished, every answer stored once
   (slot sequence 1, attempt sequence 16, stored answer = the answer sent): no lost or doubled answers.

Prints p50/p95/p99 per action against the targets and as a ratio to the bare Django view's p95 measured
by the same client in the same run, and the load average.

    .venv/bin/python bench/exam_opens.py --cadres 1000 --signin-seconds 300

Options: --cadres (1000), --signin-seconds (300), --jitter (1.0), --think-min/--think-max (3/9 s),
--think-scale (1.0: multiply think times, e.g. 0.1 for a quick run), --port (8220),
--database (postgres://postgres@127.0.0.1:5432/bench_exam; dropped and recreated), --redis
(redis://127.0.0.1:6379/11; flushed with FLUSHDB, that db only), --reuse-setup (start from the copy
of the last full setup, <database>_setup, instead of migrating and importing again), --first-sign-in,
--floor (at the moment, each cadre sends two signed-in requests that do nothing instead of the start and
its first read, and stops: the p95 that no start, however cheap, can beat on this machine and stack).
"""

import argparse
import contextlib
import http.cookiejar
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
INITIAL_PASSWORD = "Kaoshi#2026初始"  # noqa: S105 - bench-only accounts
NEW_PASSWORD = "Mingjian@Exam2026"  # noqa: S105 - bench-only accounts

TARGETS_MS = {"start + first read": 2000, "answer save": 300, "submit": 1000}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--cadres", type=int, default=1000)
    p.add_argument("--signin-seconds", type=float, default=300)
    p.add_argument("--jitter", type=float, default=1.0)
    p.add_argument("--think-min", type=float, default=3.0)
    p.add_argument("--think-max", type=float, default=9.0)
    p.add_argument("--think-scale", type=float, default=1.0)
    p.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8220")))
    p.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/bench_exam"),
    )
    p.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/11"))
    p.add_argument("--seed", type=int, default=20)
    p.add_argument(
        "--reuse-setup",
        action="store_true",
        help="copy the database kept by the last full setup (<database>_setup) instead of migrating and importing "
        "again (same schema only: e.g. to measure another build on the same data)",
    )
    p.add_argument(
        "--first-sign-in",
        action="store_true",
        help="sign in with the roster's initial password and make the forced first change (3–4 Argon2 hashes "
        "per cadre); by default the cadres changed it on an earlier day and sign in with the login form only",
    )
    p.add_argument(
        "--floor",
        action="store_true",
        help="at the moment, send two signed-in requests that do nothing (/bench/bare-signed-in/) instead of the "
        "start and its first read, and stop: the floor of 'start + first read' on this machine and stack",
    )
    return p.parse_args()


FLOOR = "floor: two signed-in no-op requests"


def ensure_database(url: str, *, template: str | None = None) -> None:
    """Drop and create the bench database, empty or as a copy of `template`."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    if name in ("", "postgres", "mingjian", "test"):
        sys.exit("refusing to run against a shared database; pass --database with a bench-only database")
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def keep_setup(url: str) -> None:
    """Keep a copy of the freshly set-up database (<name>_setup) for --reuse-setup."""
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}_setup" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}_setup" TEMPLATE "{name}"')


def reused_setup(url: str, cadres: int) -> dict:
    import psycopg

    ensure_database(url, template=url.rsplit("/", 1)[1] + "_setup")
    with psycopg.connect(url) as conn:
        quiz = conn.execute("SELECT id FROM quizzes_quiz WHERE title = '统一考试（压测）'").fetchone()[0]
        have = conn.execute("SELECT count(*) FROM accounts_user WHERE username LIKE 'K%%'").fetchone()[0]
    if have != cadres:
        sys.exit(f"the kept setup has {have} cadres, not {cadres}: run once without --reuse-setup")
    return {"quiz": quiz, "created": have, "import_seconds": float("nan")}


SETUP = """
import json, time
from accounts import services as acc
from quizzes import factories as qf
from quizzes.models import Quiz
acc.roles_ensure()
cat = qf.category("压测/统一考试")
questions = (
    [qf.single(cat, stem=f"单选题{i + 1}：关于中央八项规定精神，下列说法正确的是？", correct=i % 4) for i in range(10)]
    + [qf.multiple(cat, stem=f"多选题{i + 1}：下列属于违反廉洁纪律的行为有？", correct=(0, 2)) for i in range(3)]
    + [qf.truefalse(cat, stem=f"判断题{i + 1}：领导干部应当如实报告个人有关事项。") for i in range(2)]
    + [qf.blank(cat, stem="填空题：重大事项决策、重要干部任免、重大项目安排和大额度资金使用，简称“____”。")]
)
quiz = qf.quiz(*questions, title="统一考试（压测）", time_limit_minutes=60, shuffle_choices=True, pass_percent=60)
rows = ["工号,姓名,单位,职级"] + [
    f"K{i:05d},考生{i},某省/压测市/压测县/第{i % 20 + 1}局,乡科级" for i in range(CADRES)
]
t0 = time.perf_counter()
result = acc.roster_import_file(
    data="\\n".join(rows).encode(), filename="roster.csv", initial_password=INITIAL_PASSWORD
)
took = time.perf_counter() - t0
if not FIRST_SIGN_IN:
    # The cadres changed their initial password on an earlier day (one hash shared by the bench's accounts).
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone
    from accounts.models import User
    User.objects.filter(username__startswith="K").update(
        password=make_password(NEW_PASSWORD), must_change_password=False, password_changed_at=timezone.now()
    )
print(json.dumps({"quiz": quiz.pk, "created": result.created, "import_seconds": took}))
"""


def manage(args: list[str], env: dict, **kw):
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **kw)


def setup_data(env: dict, cadres: int, first_sign_in: bool) -> dict:
    manage(["migrate", "--noinput", "-v0"], env)
    script = (
        SETUP.replace("CADRES", str(cadres))
        .replace("INITIAL_PASSWORD", repr(INITIAL_PASSWORD))
        .replace("NEW_PASSWORD", repr(NEW_PASSWORD))
        .replace("FIRST_SIGN_IN", repr(first_sign_in))
    )
    out = manage(["shell", "-c", script], env, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


# ------------------------------------------------------------------ the client


class Browser:
    """One cadre's browser: its own cookies, no redirects followed, every request timed."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, *, form=None, body=None, headers=None):
        data = None
        req_headers = {"Referer": self.base + "/", **(headers or {})}
        if form is not None:
            data = urllib.parse.urlencode(form, doseq=True).encode()
            req_headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            req_headers["Content-Type"] = "application/json"
            req_headers["X-CSRFToken"] = self.csrf()
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=req_headers)  # noqa: S310
        t0 = time.perf_counter()
        try:
            with self.opener.open(req, timeout=600) as resp:
                payload, status, location = resp.read(), resp.status, resp.headers.get("Location", "")
        except urllib.error.HTTPError as exc:
            payload, status, location = exc.read(), exc.code, exc.headers.get("Location", "")
        except OSError as exc:
            return 0, str(exc).encode(), "", time.perf_counter() - t0
        return status, payload, location, time.perf_counter() - t0


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
FIELDSET = re.compile(
    rb'<fieldset class="card question" id="q(\d+)" data-question-id="\d+" data-type="(\w+)">(.*?)</fieldset>', re.S
)
VALUE = re.compile(rb'name="q\d+" value="(\d+)"')
SEQ = re.compile(rb'name="seq\d+" value="(\d+)"')


def form_token(html: bytes) -> str:
    match = TOKEN.search(html)
    return match.group(1).decode() if match else ""


def pct(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, list[str]] = {}

    def ok(self, action: str, seconds: float):
        with self.lock:
            self.times.setdefault(action, []).append(seconds * 1000)

    def error(self, action: str, detail: str):
        with self.lock:
            self.errors.setdefault(action, []).append(detail)


def cadre_journey(i, *, base, quiz_id, signin_at, start_event, t_start, args, rec, sent, rng):
    """One cadre from sign-in to submit; `sent[i]` records what was answered."""
    b = Browser(base)
    username = f"K{i:05d}"
    time.sleep(max(0.0, signin_at - time.monotonic()))
    # --- sign-in: login page, login (and, the first time, the forced password change)
    status, html, _loc, t = b.request("GET", "/accounts/login/")
    password = INITIAL_PASSWORD if args.first_sign_in else NEW_PASSWORD
    status, html, loc, t2 = b.request(
        "POST",
        "/accounts/login/",
        form={"csrfmiddlewaretoken": form_token(html), "username": username, "password": password},
    )
    if status != 302:
        rec.error("sign-in", f"{username} login {status}")
        return
    t3 = t4 = 0.0
    if args.first_sign_in:
        status, html, _loc, t3 = b.request("GET", "/accounts/password_change/")
        status, _html, loc, t4 = b.request(
            "POST",
            "/accounts/password_change/",
            form={
                "csrfmiddlewaretoken": form_token(html),
                "old_password": INITIAL_PASSWORD,
                "new_password1": NEW_PASSWORD,
                "new_password2": NEW_PASSWORD,
            },
        )
        if status != 302:
            rec.error("sign-in", f"{username} password change {status}")
            return
    rec.ok("sign-in", t + t2 + t3 + t4)
    status, html, _loc, t = b.request("GET", f"/quizzes/{quiz_id}/")
    if status != 200:
        rec.error("quiz page", f"{username} {status}")
        return
    rec.ok("quiz page", t)
    token = form_token(html)
    # --- the synchronized start
    start_event.wait()
    time.sleep(max(0.0, t_start[0] + rng.uniform(0, args.jitter) - time.monotonic()))
    if args.floor:
        first, body1, _loc, t1 = b.request("GET", "/bench/bare-signed-in/")
        second, body2, _loc, t2 = b.request("GET", "/bench/bare-signed-in/")
        if (first, body1, second, body2) != (200, b"ok", 200, b"ok"):
            rec.error("floor", f"{username} {first} {body1[:20]!r} {second} {body2[:20]!r}")
        else:
            rec.ok(FLOOR, t1 + t2)
        return
    status, _html, loc, t_post = b.request("POST", f"/quizzes/{quiz_id}/start/", form={"csrfmiddlewaretoken": token})
    match = re.search(r"/quizzes/attempts/(\d+)/$", loc)
    if status != 302 or not match:
        rec.error("start", f"{username} {status} {loc}")
        return
    rec.ok("start (POST)", t_post)
    attempt_id = int(match.group(1))
    status, html, _loc, t_read = b.request("GET", loc)
    questions = FIELDSET.findall(html) if status == 200 else []
    if status != 200 or len(questions) != 16:
        rec.error("first read", f"{username} {status} {len(questions)} questions")
        return
    rec.ok("first read (attempt page)", t_read)
    rec.ok("start + first read", t_post + t_read)
    token = form_token(html)
    # --- answers, one by one after thinking
    answers = {}
    for qid, qtype, body in questions:
        time.sleep(rng.uniform(args.think_min, args.think_max) * args.think_scale)
        options = [int(v) for v in VALUE.findall(body)]
        if qtype == b"multiple":
            answer = sorted(rng.sample(options, 2))
        elif qtype == b"blank":
            answer = rng.choice(["三重一大", "三 重 一 大", "四风"])
        else:
            answer = rng.choice(options)
        sequence = int(SEQ.search(body).group(1))
        status, payload, _loc, t = b.request(
            "PUT", f"/api/v1/attempts/{attempt_id}/answers/{int(qid)}", body={"answer": answer, "sequence": sequence}
        )
        if status != 200:
            rec.error("answer save", f"{username} q{int(qid)} {status} {payload[:120]!r}")
            continue
        rec.ok("answer save", t)
        answers[int(qid)] = answer
    sent[i] = (attempt_id, answers)
    # --- submit the form (it carries the answers, as a browser's form does)
    time.sleep(rng.uniform(args.think_min, args.think_max) * args.think_scale / 3)
    form = [("csrfmiddlewaretoken", token)]
    for qid, answer in answers.items():
        for value in answer if isinstance(answer, list) else [answer]:
            form.append((f"q{qid}", value))
    status, _html, loc, t = b.request("POST", f"/quizzes/attempts/{attempt_id}/submit/", form=form)
    if status != 302 or not loc.endswith("/result/"):
        rec.error("submit", f"{username} {status} {loc}")
        return
    rec.ok("submit", t)
    status, _html, _loc, t = b.request("GET", loc)
    if status != 200:
        rec.error("result page", f"{username} {status}")
        return
    rec.ok("result page", t)


CHECK = """
import json
from quizzes.models import Attempt, AttemptSlot
sent = json.loads(open(SENT).read())
attempts = {a.pk: a for a in Attempt.objects.filter(quiz_id=QUIZ)}
users = Attempt.objects.filter(quiz_id=QUIZ).values_list("user_id", flat=True)
slots = {}
for s in AttemptSlot.objects.filter(attempt__quiz_id=QUIZ).values("attempt_id", "question_id", "answer", "sequence"):
    slots.setdefault(s["attempt_id"], {})[s["question_id"]] = s
lost = doubled = wrong = 0
for attempt_id, answers in sent.values():
    mine = slots.get(attempt_id, {})
    for qid, answer in answers.items():
        slot = mine.get(int(qid))
        if slot is None or slot["sequence"] == 0 or slot["answer"] is None:
            lost += 1
        elif slot["sequence"] > 1:
            doubled += 1
        elif slot["answer"] != (sorted(answer) if isinstance(answer, list) else answer):
            wrong += 1
    extra = sum(1 for qid, s in mine.items() if str(qid) not in answers and s["sequence"])
    doubled += extra
per_attempt = {v[0]: len(v[1]) for v in sent.values()}
seq_mismatch = sum(1 for pk, n in per_attempt.items() if pk not in attempts or attempts[pk].sequence != n)
print(json.dumps({
    "attempts": len(attempts),
    "finished": sum(1 for a in attempts.values() if a.state == "finished"),
    "cadres_with_attempts": len(set(users)),
    "cadres_with_two": len(users) - len(set(users)),
    "answers_sent": sum(len(v[1]) for v in sent.values()),
    "lost": lost, "doubled": doubled, "wrong": wrong, "attempt_sequence_mismatch": seq_mismatch,
}))
"""


def bare_baseline(base: str, n: int = 400, concurrency: int = 20) -> list[float]:
    def one(_i):
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(base + "/bench/bare/", timeout=30) as resp:  # noqa: S310 - loopback
                resp.read()
        except OSError:
            return None
        return (time.perf_counter() - t0) * 1000

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(50)))
        return [t for t in pool.map(one, range(n)) if t is not None]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat_fields(pid: str) -> list[str]:
    """/proc/<pid>/stat after the command name: state, ppid, ..., utime (index 11), stime (12)."""
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().rsplit(")", 1)[1].split()


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds used so far by the whole machine, this client, gunicorn (master and workers) and
    PostgreSQL's processes (Linux /proc; processes that ended are not counted)."""
    with open("/proc/stat") as handle:
        ticks = [int(v) for v in handle.readline().split()[1:]]
    busy = sum(ticks) - ticks[3] - ticks[4]  # minus idle and iowait
    server = postgres = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            fields = _stat_fields(pid)
            with open(f"/proc/{pid}/comm") as handle:
                name = handle.read().strip()
        except OSError:
            continue  # ended meanwhile
        used = int(fields[11]) + int(fields[12])
        if int(pid) == server_pid or int(fields[1]) == server_pid:
            server += used
        elif name == "postgres":
            postgres += used
    return {
        "machine": busy / CLOCK_TICKS,
        "client": time.process_time(),
        "gunicorn": server / CLOCK_TICKS,
        "postgres": postgres / CLOCK_TICKS,
    }


def cpu_report(before: dict[str, float], after: dict[str, float], seconds: float, cadres: int) -> str:
    used = {k: after[k] - before[k] for k in before}
    other = used["machine"] - used["client"] - used["gunicorn"] - used["postgres"]
    return (
        f"CPU over {seconds:.1f} s (2 cores: {2 * seconds:.1f} s): machine {used['machine']:.1f} s = "
        f"gunicorn {used['gunicorn']:.1f} + PostgreSQL {used['postgres']:.1f} + this client {used['client']:.1f}"
        f" + other {other:.1f}; per cadre: gunicorn {used['gunicorn'] / cadres * 1000:.1f} ms, PostgreSQL "
        f"{used['postgres'] / cadres * 1000:.1f} ms, client {used['client'] / cadres * 1000:.1f} ms"
    )


@contextlib.contextmanager
def gunicorn_deployed(port: int, env: dict):
    """gunicorn as deployed: deploy/gunicorn.conf.py (workers, threads, timeouts), bench.wsgi on loopback."""
    sys.path.insert(0, str(ROOT))
    from bench.server import wait_until_up

    environment = {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOGLEVEL": "warning"}
    argv = [sys.executable, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "bench.wsgi"]
    process = subprocess.Popen(argv, cwd=ROOT, env=environment)
    try:
        wait_until_up(process, f"http://127.0.0.1:{port}", timeout=600)  # 5 workers boot slowly on a busy machine
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    args = parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": args.database,
        "REDIS_URL": args.redis,
        "MINGJIAN_REQUIRE_REDIS": "true",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
    }
    import redis

    redis.Redis.from_url(args.redis).flushdb()
    t0 = time.perf_counter()
    if args.reuse_setup:
        data = reused_setup(args.database, args.cadres)
    else:
        ensure_database(args.database)
        data = setup_data(env, args.cadres, args.first_sign_in)
        keep_setup(args.database)
    print(
        f"setup: {data['created']} cadres imported from a roster CSV in {data['import_seconds']:.1f} s "
        f"(roster_import_file), total setup {time.perf_counter() - t0:.0f} s",
        flush=True,
    )
    quiz_id = data["quiz"]
    base = f"http://127.0.0.1:{args.port}"
    rec = Recorder()
    sent: dict[int, tuple[int, dict]] = {}
    rng0 = random.Random(args.seed)
    with gunicorn_deployed(args.port, env) as server:
        bare_before = bare_baseline(base)
        start_event = threading.Event()
        now = time.monotonic()
        offsets = sorted(rng0.uniform(0, args.signin_seconds) for _ in range(args.cadres))
        t_start = [0.0]
        threads = []
        for i, off in enumerate(offsets):

            def run(i=i, off=off):
                try:
                    cadre_journey(
                        i,
                        base=base,
                        quiz_id=quiz_id,
                        signin_at=now + off,
                        start_event=start_event,
                        t_start=t_start,
                        args=args,
                        rec=rec,
                        sent=sent,
                        rng=random.Random(args.seed * 100003 + i),
                    )
                except Exception as exc:  # noqa: BLE001 - a bench counts every failure
                    rec.error("client", f"K{i:05d} {exc!r}")

            threads.append(threading.Thread(target=run, daemon=True))
        # Start them all now: each sleeps until its sign-in moment.
        threading.stack_size(512 * 1024)
        for th in threads:
            th.start()
        time.sleep(args.signin_seconds)
        while len(rec.times.get("quiz page", [])) + sum(len(v) for v in rec.errors.values()) < args.cadres:
            time.sleep(0.5)
        signed_in = len(rec.times.get("quiz page", []))
        load_signin = os.getloadavg()
        print(f"sign-in: {signed_in} of {args.cadres} cadres signed in and on the quiz page; load {load_signin[0]:.1f}")
        bare_mid = bare_baseline(base)
        t_start[0] = time.monotonic() + 1.0  # every thread reads the moment once the event fires
        spike = "start + first read" if not args.floor else FLOOR
        cpu_at_moment = cpu_seconds(server.pid)
        start_event.set()
        t_exam = time.monotonic()
        # The spike ends when every cadre has its first read (or an error): CPU used up to then.
        while len(rec.times.get(spike, [])) + sum(len(v) for v in rec.errors.values()) < args.cadres and any(
            th.is_alive() for th in threads
        ):
            time.sleep(0.05)
        spike_seconds = time.monotonic() - t_exam
        cpu_spike = cpu_report(cpu_at_moment, cpu_seconds(server.pid), spike_seconds, args.cadres)
        for th in threads:
            th.join()
        exam_seconds = time.monotonic() - t_exam
        load_exam = os.getloadavg()
        bare_after = bare_baseline(base)
    check = None
    if not args.floor:
        with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
            json.dump({str(k): v for k, v in sent.items()}, handle)
        sent_path = Path(handle.name)
        check_script = CHECK.replace("SENT", repr(str(sent_path))).replace("QUIZ", str(quiz_id))
        check = json.loads(
            manage(["shell", "-c", check_script], env, capture_output=True, text=True).stdout.strip().splitlines()[-1]
        )
        sent_path.unlink()

    bare = bare_before + bare_mid + bare_after
    bare_p95 = pct(bare, 95)
    print()
    print(
        f"exam at one moment: {args.cadres} cadres, sign-in over {args.signin_seconds:.0f} s, start jitter "
        f"{args.jitter:.1f} s, think {args.think_min:g}–{args.think_max:g} s × {args.think_scale:g}; "
        "gunicorn -c deploy/gunicorn.conf.py, bench.settings, PostgreSQL, Redis"
    )
    print(f"  load average: after sign-in {load_signin[0]:.1f}, after the exam {load_exam[0]:.1f} (1 min)")
    print(
        f"  bare view p50 / p95 {pct(bare, 50):.1f} / {bare_p95:.1f} ms ({len(bare)} requests at concurrency 20, before/mid/after)"
    )
    print(f"  {'action':42s} {'n':>6s} {'p50':>8s} {'p95':>8s} {'p99':>8s}  p95/bare  target")
    order = [
        "sign-in",
        "quiz page",
        "start (POST)",
        "first read (attempt page)",
        "start + first read",
        "answer save",
        "submit",
        "result page",
        FLOOR,
    ]
    for action in order:
        values = rec.times.get(action, [])
        if not values:
            continue
        target = TARGETS_MS.get("start + first read" if action == FLOOR else action)
        verdict = ""
        if target:
            verdict = f"p95 < {target} ms: {'yes' if values and pct(values, 95) < target else 'NO'}"
        print(
            f"  {action:42s} {len(values):6d} {pct(values, 50):8.0f} {pct(values, 95):8.0f} {pct(values, 99):8.0f}"
            f"  {pct(values, 95) / bare_p95:8.0f}×  {verdict}"
        )
    print(f"  the start spike ({spike}, from the moment to the last one): {cpu_spike}")
    errors = sum(len(v) for v in rec.errors.values())
    print(f"  errors: {errors}" + "".join(f"\n    {k}: {len(v)} e.g. {v[:3]}" for k, v in rec.errors.items()))
    if args.floor:
        print(f"  the moment (first to last floor pair): {exam_seconds:.0f} s")
        return 0 if errors == 0 else 1
    print(f"  exam phase (start to last result page): {exam_seconds:.0f} s")
    print(
        "  database: {attempts} attempts ({finished} finished) by {cadres_with_attempts} cadres, {cadres_with_two} "
        "cadres with two; answers sent {answers_sent}: lost {lost}, doubled {doubled}, stored differently {wrong}, "
        "attempt sequence mismatch {attempt_sequence_mismatch}".format(**check)
    )
    ok = (
        errors == 0
        and check["finished"] == args.cadres
        and check["attempts"] == args.cadres
        and not (check["lost"] or check["doubled"] or check["wrong"] or check["attempt_sequence_mismatch"])
        and all(pct(rec.times.get(a, []), 95) < t for a, t in TARGETS_MS.items())
    )
    print(f"  target met: {'yes' if ok else 'NO'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
