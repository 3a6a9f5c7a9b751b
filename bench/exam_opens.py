"""Scenario "exam opens": 200 cadres start and submit the same quiz within a few seconds.

Runs gunicorn (2 workers × 4 threads, as FACTS.md's measurements) on a bench-only PostgreSQL
database, then over HTTP with bearer tokens: every cadre starts (POST /api/v1/quizzes/{id}/attempts),
saves three answers, and submits (POST /api/v1/attempts/{id}/submit), all cadres at once.
Reports errors, p50/p99 latency of submit, and submit throughput as a ratio to a bare Django
view measured by the same client in the same run.

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/quizzes_bench .venv/bin/python bench/exam_opens.py

Options via environment: BENCH_CADRES (200), BENCH_CONCURRENCY (50), BENCH_PORT (8765).
"""

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/quizzes_bench")
CADRES = int(os.environ.get("BENCH_CADRES", "200"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "50"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
BASE = f"http://127.0.0.1:{PORT}"
ENV = {**os.environ, "DATABASE_URL": DB_URL, "DJANGO_SETTINGS_MODULE": "bench.settings", "PYTHONPATH": str(ROOT)}


def ensure_database():
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    if name in ("", "postgres", "mingjian", "test"):
        sys.exit("refusing to run against a shared database; set BENCH_DATABASE_URL to a bench-only database")
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_data() -> tuple[int, list[str], list[list[tuple[int, object]]]]:
    """Migrate, create the cadres (with API tokens) and the quiz; returns quiz id, tokens, answers."""
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=ENV, check=True)
    script = f"""
import json
from decimal import Decimal
from django.contrib.auth.hashers import make_password
from wagtail.models import APIToken
from accounts import roles, services as acc
from accounts.models import User, CadreProfile
from quizzes import factories as qf
acc.roles_ensure()
unit = acc.org_unit_get_or_create_by_path("某省/压测市/压测县/压测局")
cat = qf.category("压测")
questions = [qf.single(cat, stem=f"单选{{i}}") for i in range(6)] + [qf.multiple(cat, stem=f"多选{{i}}") for i in range(2)] + [qf.truefalse(cat), qf.blank(cat)]
quiz = qf.quiz(*questions, title="压测测验", time_limit_minutes=30)
group = acc.roles_ensure()[roles.CADRE]
pw = make_password(None)
users = User.objects.bulk_create([User(username=f"B{{i:05d}}", name=f"压测{{i}}", password=pw) for i in range({CADRES})])
CadreProfile.objects.bulk_create([CadreProfile(user=u, org_unit=unit, employee_no=u.username) for u in users])
group.user_set.add(*users)
tokens = [APIToken.create_token(user=u, name="bench")[1] for u in users]
answers = []
for q in questions[:3]:
    answers.append((q.pk, next(c.pk for c in q.choices.all() if c.is_correct)))
print(json.dumps({{"quiz": quiz.pk, "tokens": tokens, "answers": answers}}))
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env=ENV,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    return data["quiz"], data["tokens"], data["answers"]


def request(method: str, path: str, token: str | None = None, body=None) -> tuple[int, dict | None, float]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(BASE + path, data=data, method=method)  # noqa: S310 - local bench server
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # noqa: S310 - local bench server
            payload = resp.read()
            status = resp.status
    except urllib.error.HTTPError as exc:
        payload, status = exc.read(), exc.code
    except OSError:
        return 0, None, time.perf_counter() - start
    elapsed = time.perf_counter() - start
    try:
        return status, json.loads(payload or b"null"), elapsed
    except ValueError:
        return status, None, elapsed


def run_phase(fn, items) -> tuple[list, float]:
    barrier = threading.Barrier(min(CONCURRENCY, len(items)))
    started = [False]

    def wrapped(item):
        if not started[0]:
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            started[0] = True
        return fn(item)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        results = list(pool.map(wrapped, items))
    return results, time.perf_counter() - t0


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def main():
    ensure_database()
    quiz_id, tokens, answers = setup_data()
    sys.path.insert(0, str(ROOT))  # run as a script: bench/ is on the path, not the project
    from bench.server import gunicorn

    with gunicorn(PORT, env=ENV):
        # Baseline: the bare view, same client, same concurrency.
        run_phase(lambda _i: request("GET", "/bench/bare/"), range(200))  # warm up
        bare, bare_wall = run_phase(lambda _i: request("GET", "/bench/bare/"), range(2000))
        bare_errors = sum(1 for s, _d, _t in bare if s != 200)
        bare_rps = len(bare) / bare_wall

        starts, start_wall = run_phase(
            lambda tok: (tok, request("POST", f"/api/v1/quizzes/{quiz_id}/attempts", tok)), tokens
        )
        attempt_ids = {tok: (r[1] or {}).get("id") for tok, r in starts}

        def save_all(tok):
            results = []
            aid = attempt_ids[tok]
            for qid, choice in answers:
                results.append(
                    request("PUT", f"/api/v1/attempts/{aid}/answers/{qid}", tok, {"answer": choice, "sequence": 0})
                )
            return results

        saves, save_wall = run_phase(save_all, tokens)
        submits, submit_wall = run_phase(
            lambda tok: request("POST", f"/api/v1/attempts/{attempt_ids[tok]}/submit", tok), tokens
        )
        repeat, _w = run_phase(
            lambda tok: request("POST", f"/api/v1/attempts/{attempt_ids[tok]}/submit", tok), tokens[:50]
        )

    start_errors = sum(1 for _t, (s, d, _l) in starts if s != 200 or not d)
    save_flat = [r for group in saves for r in group]
    save_errors = sum(1 for s, _d, _t in save_flat if s != 200)
    submit_errors = sum(1 for s, d, _t in submits if s != 200 or not d or d.get("state") != "finished")
    wrong_scores = sum(1 for s, d, _t in submits if s == 200 and d and d.get("score") != "3.00")
    repeat_mismatch = sum(1 for (s, d, _t), (s0, d0, _t0) in zip(repeat, submits[:50], strict=True) if d != d0)
    lat = [t * 1000 for s, _d, t in submits if s == 200]
    submit_rps = len(submits) / submit_wall
    print(f"exam opens: {CADRES} cadres, client concurrency {CONCURRENCY}, gunicorn 2 workers × 4 threads, PostgreSQL")
    print(f"  bare view:   {bare_rps:8.0f} req/s  ({len(bare)} requests, {bare_errors} errors)")
    print(
        f"  start:       {len(starts) / start_wall:8.0f} req/s  errors {start_errors}  p50 {pct([r[1][2] * 1000 for r in starts], 50):.0f} ms  p99 {pct([r[1][2] * 1000 for r in starts], 99):.0f} ms"
    )
    print(f"  save answer: {len(save_flat) / save_wall:8.0f} req/s  errors {save_errors}")
    print(
        f"  submit:      {submit_rps:8.0f} req/s  errors {submit_errors}  wrong scores {wrong_scores}  p50 {pct(lat, 50):.0f} ms  p99 {pct(lat, 99):.0f} ms"
        if lat
        else "  submit: all failed"
    )
    print(f"  repeat submit returned a different result: {repeat_mismatch} of {len(repeat)}")
    print(f"  all {CADRES} cadres started and submitted in {start_wall + save_wall + submit_wall:.1f} s")
    print(f"  submit throughput / bare view throughput = {submit_rps / bare_rps:.3f}")
    return 1 if (start_errors or save_errors or submit_errors or wrong_scores or repeat_mismatch) else 0


if __name__ == "__main__":
    sys.exit(main())
