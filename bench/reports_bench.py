"""Benchmark of the trainer reports on PostgreSQL.

Builds a synthetic province with 10,000 and then 1,000,000 cadres (``manage.py bench_data``, set-based
SQL on PostgreSQL; its build time is printed with the seconds of each step) in a scratch database, times the unit report of the province root at both sizes in the same run (the
ratio is the figure that matters: the report reads counters, so it must not grow with the data),
and measures the peak memory of exporting every cadre row of the 100,000-cadre province to xlsx
in a separate process (tracemalloc peak and the process's maximum RSS).

    .venv/bin/python bench/reports_bench.py [--sizes 10000 1000000] [--server postgres://postgres@127.0.0.1:5432]
        [--prefix bench_reports] [--reuse] [--no-export]

Uses the databases ``<prefix>_base`` (migrated once, then used as a template) and
``<prefix>_<N>`` (one per size, recreated unless ``--reuse``). Targets (issue 20): the province-root
report under 1 s at 1,000,000 cadres, and the 1,000,000-cadre build under 30 minutes.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

TIME_REPORT = r"""
import json, statistics, time
import django
django.setup()
from django.test import Client
from accounts.models import OrgUnit, User
from reports import selectors
from reports.benchdata import PROVINCE

province = OrgUnit.objects.get(full_path=PROVINCE)
admin = User.objects.get(username="bench_admin")
client = Client(HTTP_HOST="127.0.0.1")
client.force_login(admin)
url = f"/reports/units/{province.pk}/"
assert client.get(url).status_code == 200  # warm-up
page, selector = [], []
for _ in range(5):
    t = time.perf_counter(); response = client.get(url); page.append(time.perf_counter() - t)
    assert response.status_code == 200
    t = time.perf_counter()
    selectors.unit_report(user=admin, unit=province, filters=selectors.parse_filters({}))
    selector.append(time.perf_counter() - t)
print(json.dumps({"page": page, "selector": selector}))
"""

EXPORT_MEMORY = r"""
import json, resource, tempfile, time, tracemalloc
import django
django.setup()
from accounts.models import OrgUnit, User
from reports import exports
from reports.benchdata import PROVINCE

province = OrgUnit.objects.get(full_path=PROVINCE)
admin = User.objects.get(username="bench_admin")
rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
tracemalloc.start()
t = time.perf_counter()
_title, tables = exports.tables(user=admin, view="cadres", params={"unit": province.pk})
with tempfile.TemporaryFile() as tmp:
    rows = exports.write_xlsx(tables, tmp)
    size = tmp.tell()
elapsed = time.perf_counter() - t
_current, peak = tracemalloc.get_traced_memory()
tracemalloc.stop()
print(json.dumps({"rows": rows, "seconds": elapsed, "bytes": size, "tracemalloc_peak_mb": peak / 2**20,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "maxrss_before_mb": rss_before / 1024}))
"""


def admin_sql(server: str, *statements: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)


def exists(server: str, name: str) -> bool:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def env_for(server: str, db: str) -> dict:
    env = dict(os.environ)
    # The bench signs its administrator in with force_login: no second factor to enrol.
    env.update(
        DATABASE_URL=f"{server}/{db}",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        LOG_LEVEL="WARNING",
        OTP_REQUIRED_FOR_STAFF="false",
    )
    return env


def run(args: list[str], env: dict, capture: bool = False) -> str:
    result = subprocess.run(args, cwd=ROOT, env=env, check=True, text=True, capture_output=capture)  # noqa: S603
    return result.stdout if capture else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 1_000_000])
    parser.add_argument("--prefix", default="bench_reports", help="database names: <prefix>_base, <prefix>_<N>")
    parser.add_argument("--no-export", action="store_true", help="skip the xlsx export memory measurement")
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--rounds", type=int, default=3, help="timing rounds per size, interleaved")
    parser.add_argument("--reuse", action="store_true", help="keep an existing bench_reports_<N> database")
    opts = parser.parse_args()
    server, prefix = opts.server, opts.prefix
    if not exists(server, f"{prefix}_base"):
        print(f"migrating {prefix}_base (once) ...", flush=True)
        admin_sql(server, f"CREATE DATABASE {prefix}_base")
        run([PY, "manage.py", "migrate", "-v0"], env_for(server, f"{prefix}_base"))
    dbs = {}
    for n in opts.sizes:
        db = dbs[n] = f"{prefix}_{n}"
        if opts.reuse and exists(server, db):
            print(f"{n:>7} cadres: reusing database {db}", flush=True)
            continue
        admin_sql(server, f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db} TEMPLATE {prefix}_base")
        env = env_for(server, db)
        t = time.perf_counter()
        out = run([PY, "manage.py", "bench_data", "--cadres", str(n)], env, capture=True)
        built = time.perf_counter() - t
        print(out.strip(), flush=True)
        print(f"{n:>7} cadres built in {built:.0f} s (target at 1,000,000: < 1800 s)", flush=True)
        if n <= 20_000:  # the check recomputes everything in Python: many minutes at 100,000
            run([PY, "manage.py", "reports_rebuild", "--check"], env)
    # Interleave the sizes (several rounds each) so drift in machine load hits both alike.
    samples: dict[int, dict[str, list[float]]] = {n: {"page": [], "selector": []} for n in opts.sizes}
    for _round in range(opts.rounds):
        for n in opts.sizes:
            result = json.loads(
                run([PY, "-c", TIME_REPORT], env_for(server, dbs[n]), capture=True).strip().splitlines()[-1]
            )
            samples[n]["page"] += result["page"]
            samples[n]["selector"] += result["selector"]
    timings = {}
    for n in opts.sizes:
        timings[n] = {
            "page_median": statistics.median(samples[n]["page"]),
            "page_max": max(samples[n]["page"]),
            "selector_median": statistics.median(samples[n]["selector"]),
        }
        print(
            f"{n:>7} cadres: unit report of the province root (page) median {timings[n]['page_median'] * 1000:.1f} ms, "
            f"max {timings[n]['page_max'] * 1000:.1f} ms; counters read (selector) "
            f"{timings[n]['selector_median'] * 1000:.1f} ms ({len(samples[n]['page'])} samples)",
            flush=True,
        )
    sizes = sorted(timings)
    if len(sizes) >= 2:
        small, big = sizes[0], sizes[-1]
        print(
            f"ratio time({big}) / time({small}): page {timings[big]['page_median'] / timings[small]['page_median']:.2f}, "
            f"selector {timings[big]['selector_median'] / timings[small]['selector_median']:.2f}"
        )
    print(
        f"target: province-root page < 1000 ms at 1,000,000 cadres; largest size here {sizes[-1]}: "
        f"median {timings[sizes[-1]]['page_median'] * 1000:.0f} ms"
    )
    if opts.no_export:
        return
    memory = json.loads(
        run([PY, "-c", EXPORT_MEMORY], env_for(server, dbs[sizes[-1]]), capture=True).strip().splitlines()[-1]
    )
    print(
        f"xlsx export of {memory['rows']} cadre rows: {memory['seconds']:.1f} s, {memory['bytes'] / 2**20:.1f} MB file, "
        f"tracemalloc peak {memory['tracemalloc_peak_mb']:.1f} MB, process max RSS {memory['maxrss_mb']:.1f} MB "
        f"(after Django setup {memory['maxrss_before_mb']:.1f} MB; target < 300 MB)"
    )


if __name__ == "__main__":
    main()
