#!/usr/bin/env python
"""Cadre dashboard and lesson page: fixed query counts, and throughput against a bare view.

    .venv/bin/python bench/dashboard_bench.py [--seconds 10] [--connections 16]

Uses its own PostgreSQL database (BENCH_DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/learning_bench), recreated on every run.

1. Small data (one cadre, one course) → count the queries of `/` and a lesson page, with the
   fragment cache empty (cold) and filled (warm; see core/cache.py).
2. Large data (by default the cadre enrolled in 40 courses with progress everywhere, 3,000 other
   cadres with enrolments, progress, credits) → count again; both counts must be equal.
3. gunicorn (2 workers x 4 threads, production settings) serves the dashboard, the lesson
   page and a bare Django view (same middleware); wrk measures each. Each round measures every
   URL once, back to back (the order turns each round), and divides by the bare view of that
   round: the printed ratio is the median over rounds, so that a slow spell of this shared
   machine falls on both sides of a ratio. Beside it, the CPU time one request costs (gunicorn's
   processes, PostgreSQL's and wrk's, from /proc), whose ratio noise from other machines
   disturbs less. A signed-in bare view (the same plus loading the session and the user) is
   printed for context only. With REDIS_URL set the cache is Redis (django-redis), as in production.
"""

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/learning_bench")
PORT = int(os.environ.get("BENCH_PORT", "8765"))

os.environ["DATABASE_URL"] = DB_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
sys.path.insert(0, str(ROOT))


def recreate_database():
    import psycopg

    name = DB_URL.rsplit("/", 1)[1]
    admin_url = DB_URL.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def count_queries(client, url: str) -> tuple[int, int]:
    """(cold, warm): the queries of `url` with the fragment cache empty, then with it filled."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # first visit: CSRF cookie, settings rows, Wagtail's site root paths
    counts = []
    cache.clear()
    for _ in range(2):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        counts.append(len(ctx))
    return counts[0], counts[1]


def large_data(user, *, courses: int = 40, others: int = 3000) -> None:
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from accounts.factories import org_unit
    from accounts.models import CadreProfile, User
    from learning import factories, services
    from learning.models import CreditLedger, Enrolment, LessonProgress

    year = timezone.localdate().year
    now = timezone.now()
    unit = org_unit("基准省/基准市/基准县/基准局")
    made = []
    for n in range(courses):
        course = factories.course(title=f"基准课程{n}", lessons=5)
        made.append(course)
        Enrolment.objects.get_or_create(user=user, course=course, year=year, defaults={"source": "self"})
        for i, lesson in enumerate(course.lessons()):
            services.lesson_heartbeat(user=user, lesson=lesson, now=now - timedelta(hours=n, minutes=i * 3))
    password = make_password(None)  # unusable
    users = User.objects.bulk_create(
        [User(username=f"bench{n:05d}", name=f"基准{n}", password=password) for n in range(others)], batch_size=1000
    )
    CadreProfile.objects.bulk_create(
        [CadreProfile(user=u, org_unit=unit, employee_no=f"B{u.pk:07d}", rank=20) for u in users], batch_size=1000
    )
    lessons = [(c, list(c.lessons())) for c in made[:10]]
    enrolments, progress, credits = [], [], []
    for u in users:
        for course, course_lessons in lessons:
            enrolments.append(Enrolment(user=u, course=course, year=year, source="assigned", completed_at=now))
            progress += [
                LessonProgress(user=u, lesson=lesson, course=course, time_seconds=600, completed_at=now)
                for lesson in course_lessons
            ]
    Enrolment.objects.bulk_create(enrolments, batch_size=2000)
    LessonProgress.objects.bulk_create(progress, batch_size=5000)
    by_key = {(e.user_id, e.course_id): e for e in Enrolment.objects.filter(user__in=users)}
    for (uid, cid), e in by_key.items():
        credits.append(CreditLedger(user_id=uid, course_id=cid, year=year, hours=1, enrolment=e))
    CreditLedger.objects.bulk_create(credits, batch_size=5000)


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time of these processes so far (/proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # ended meanwhile
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def server_pids(gunicorn_pid: int) -> list[int]:
    """gunicorn's arbiter and workers, and every PostgreSQL process (the backends serving them)."""
    found = subprocess.run(["pgrep", "-P", str(gunicorn_pid)], capture_output=True, text=True).stdout.split()
    found += subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout.split()
    return [gunicorn_pid, *map(int, found)]


def quartiles(values: list[float]) -> tuple[float, float]:
    """The first and third quartiles: the spread of the rounds' ratios, printed beside their median."""
    if len(values) < 2:
        return values[0], values[0]
    q = statistics.quantiles(values, n=4)
    return q[0], q[2]


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def wrk(url: str, cookie: str | None, seconds: int, connections: int, pids: list[int]) -> tuple[float, int, float]:
    """(requests/s, non-2xx responses, CPU microseconds per request: the server's, PostgreSQL's and wrk's)."""
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    if cookie:
        cmd += ["-H", f"Cookie: {cookie}"]
    server_before, wrk_before = cpu_seconds(pids), children_cpu()
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(pids) - server_before + children_cpu() - wrk_before
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    count = int(re.search(r"(\d+) requests in", out).group(1))
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rate, int(bad.group(1)) if bad else 0, used / max(count, 1) * 1e6


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=16, help="measure every URL this many times, back to back")
    parser.add_argument("--courses", type=int, default=40, help="courses the cadre is enrolled in for the large data")
    parser.add_argument("--others", type=int, default=3000, help="other cadres for the large data")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is needed: apt-get install wrk")
        return 2

    recreate_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from accounts.factories import cadre
    from learning import factories, services
    from learning.models import Enrolment

    call_command("migrate", verbosity=0)
    user = cadre(unit="基准省/基准市/基准县/基准局")
    course = factories.course(title="基准必修课", lessons=3)
    Enrolment.objects.create(user=user, course=course, year=timezone.localdate().year, source="self")
    lesson = course.lessons().first()
    services.lesson_heartbeat(user=user, lesson=lesson)

    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    lesson_url = lesson.url
    small = {"dashboard": count_queries(client, "/"), "lesson": count_queries(client, lesson_url)}
    large_data(user, courses=args.courses, others=args.others)
    large = {"dashboard": count_queries(client, "/"), "lesson": count_queries(client, lesson_url)}
    from django.conf import settings

    print(
        f"cache {settings.CACHES['default']['BACKEND']}, sessions {settings.SESSION_ENGINE}",
        flush=True,
    )
    print(
        f"queries (cold cache / warm cache), small data: dashboard {small['dashboard']}, lesson {small['lesson']}",
        flush=True,
    )
    print(
        f"queries (cold cache / warm cache), large data: dashboard {large['dashboard']}, lesson {large['lesson']} "
        f"(cadre enrolled in {args.courses + 1} courses; {args.others} other cadres with "
        f"{args.others * min(10, args.courses)} enrolments and {args.others * min(10, args.courses) * 5} progress rows)",
        flush=True,
    )
    fixed = small == large
    print("fixed number of queries:", "yes" if fixed else "NO")
    # A browser sends both: the CSRF secret is part of the cached dashboard's key.
    cookie = f"sessionid={client.cookies['sessionid'].value}; csrftoken={client.cookies['csrftoken'].value}"
    from django.db import connections

    connections.close_all()

    from bench.server import gunicorn

    with gunicorn(PORT) as server:
        base = server.base
        request = urllib.request.Request(base + "/", headers={"Cookie": cookie})  # noqa: S310
        page = urllib.request.urlopen(request, timeout=10).read().decode()  # noqa: S310 - localhost
        assert "我的课程" in page and "基准必修课" in page, "the dashboard did not render for the cadre"
        targets = {
            "bare view": (base + "/bench/bare/", None),
            "dashboard": (base + "/", cookie),
            "lesson page": (base + lesson_url, cookie),
            "signed-in bare view": (base + "/bench/bare-signed-in/", cookie),
        }
        pids = server_pids(server.process.pid)
        for url, c in targets.values():
            wrk(url, c, 2, args.connections, pids)  # warm-up
        pids = server_pids(server.process.pid)  # with the database connections the warm-up opened
        names = list(targets)
        rates: dict[str, list[float]] = {name: [] for name in names}
        ratios: dict[str, list[float]] = {name: [] for name in names}
        cpu: dict[str, list[float]] = {name: [] for name in names}
        errors = 0
        for n in range(args.rounds):
            this_round = {}
            for name in names[n % len(names) :] + names[: n % len(names)]:
                url, c = targets[name]
                rate, bad, per_request = wrk(url, c, args.seconds, args.connections, pids)
                this_round[name] = rate
                cpu[name].append(per_request)
                errors += bad
            print("  round: " + ", ".join(f"{name} {this_round[name]:.0f}" for name in names) + " req/s", flush=True)
            for name in names:
                rates[name].append(this_round[name])
                ratios[name].append(this_round[name] / this_round["bare view"])

    cpu_median = {name: statistics.median(values) for name, values in cpu.items()}
    print(
        f"\nthroughput (gunicorn 2 workers x 4 threads, PostgreSQL, wrk -t2 -c{args.connections}, "
        f"{args.rounds} rounds x {args.seconds}s per URL; ratio = median over rounds of URL / bare view in the same round):"
    )
    for name in names:
        low, high = quartiles(ratios[name])
        print(
            f"  {name:<20} {statistics.median(ratios[name]):5.2f}x bare view (middle half of rounds {low:.2f}–{high:.2f})   "
            f"median {statistics.median(rates[name]):7.0f} req/s, best {max(rates[name]):7.0f}   "
            f"CPU {cpu_median[name]:6.0f} µs/request ({cpu_median['bare view'] / cpu_median[name]:4.2f}x)"
        )
    if errors:
        print(f"non-2xx responses: {errors}")
    target_met = all(statistics.median(ratios[n]) >= 0.5 for n in ("dashboard", "lesson page"))
    print(
        "target ≥ 0.5x bare view:",
        "met" if target_met else "NOT met",
        "(the signed-in bare view is context only: the target is against the anonymous bare view; CPU µs/request "
        "is gunicorn + PostgreSQL + wrk, its ratio = bare view's CPU / URL's)",
    )
    return 0 if fixed and not errors else 1


if __name__ == "__main__":
    sys.exit(main())
