"""Issue 20, target 2: a province's roster on PostgreSQL, with sign-ins going on.

1. A scratch database (``<db>``, from a migrated template ``<db>_base``) with a sign-in probe account
   and three course assignments that reach the province (so every new cadre is also enrolled and
   counted in the reports, as in production).
2. A probe process signs in over and over (the real login view through the whole middleware stack,
   production settings, Argon2), first alone (the same-run baseline), then while the roster is imported.
3. The import takes the upload page's path for a long roster: ``roster_job_create`` (read and check
   every row: what the request does) then ``roster_job_run`` (what the task worker does, in transactions
   of ``ROSTER_IMPORT_BATCH_SIZE`` rows). N new cadres with an initial password.
4. The same file again with ``--changes`` rows changed (moved, re-ranked, renamed).

    .venv/bin/python bench/roster_bench.py [--cadres 100000] [--changes 1000]
        [--server postgres://postgres@127.0.0.1:5432] [--db bench_roster]

Targets: import < 600 s, re-import < 60 s, sign-in latency during the import like the baseline.
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: the project (and bench/) importable

from bench.reports_bench import admin_sql, exists  # noqa: E402 - after the path

PY = sys.executable
PROBE_PASSWORD = "Probe-Pass-2026!"  # noqa: S105 - a bench account in a scratch database
INITIAL_PASSWORD = "Chushi-Mima-2026!"  # noqa: S105

SETUP = r"""
import django
django.setup()
from datetime import date
from accounts import factories as af, roles
from accounts.models import User
from accounts.services import org_unit_get_or_create_by_path, user_set_roles
from learning import services as ls
from reports import benchdata

admin = User.objects.create_superuser("roster_admin", "", "Roster-Admin-2026!", name="组织部")
user_set_roles(user=admin, role_names=[roles.ADMINISTRATOR])
probe = User.objects.create_user("probe", password=PASSWORD, name="探针")
user_set_roles(user=probe, role_names=[roles.CADRE])
province = org_unit_get_or_create_by_path("某省")
year = ls.local_year()
for course in benchdata._courses(year)[:3]:
    ls.assignment_create(by=admin, course=course, org_units=[province], ranks=None, year=year,
                         due_date=date(year, 12, 31))
print("ok")
"""

PROBE = r"""
import json, sys, time
from pathlib import Path
import django
django.setup()
from django.test import Client
stop, out = Path(sys.argv[1]), open(sys.argv[2], "w")
while not stop.exists():
    client = Client(HTTP_HOST="127.0.0.1")
    t0 = time.time(); t = time.perf_counter()
    response = client.post("/accounts/login/", {"username": "probe", "password": PASSWORD})
    out.write(json.dumps([t0, time.perf_counter() - t, response.status_code]) + "\n"); out.flush()
    time.sleep(0.2)
"""

IMPORT = r"""
import json, sys, time
import django
django.setup()
from django.conf import settings
from accounts import services
from accounts.models import User
path, password = sys.argv[1], sys.argv[2] or None
data = open(path, "rb").read()
admin = User.objects.get(username="roster_admin")
# The upload request: read and check every row (roster_job_create does this, then queues the job).
t = time.perf_counter()
rows = services.roster_parse(data=data, filename="roster.csv", max_rows=settings.ROSTER_MAX_ROWS)
services.roster_check(rows=rows, actor=admin)
password_hash = services._initial_password_hash(password)
check = time.perf_counter() - t
# The task worker (roster_job_run): parse again, write in transactions of ROSTER_IMPORT_BATCH_SIZE rows.
t = time.perf_counter()
result = services.roster_import_file(data=data, filename="roster.csv", password_hash=password_hash, actor=admin,
                                     batch_size=settings.ROSTER_IMPORT_BATCH_SIZE)
write = time.perf_counter() - t
print(json.dumps({"check": check, "write": write, "status": "done",
                  "summary": f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged, "
                             f"{len(result.units_created)} units created",
                  "batch": settings.ROSTER_IMPORT_BATCH_SIZE}))
"""

VERIFY = r"""
import json
import django
django.setup()
from accounts.models import CadreProfile, User
from learning.models import Enrolment
from reports.models import CadreCounter
from accounts.models import OrgUnit
new = User.objects.filter(username__startswith="P")
root = OrgUnit.objects.get(full_path="某省")
print(json.dumps({
    "cadres": CadreProfile.objects.count(),
    "hashes": new.values("password").distinct().count(),
    "must_change": new.filter(must_change_password=True).count(),
    "enrolments": Enrolment.objects.filter(user__username__startswith="P").count(),
    "root_counter": sum(CadreCounter.objects.filter(org_unit=root).values_list("cadres", flat=True)),
}))
"""


def roster_rows(n: int, rng: random.Random) -> list[list[str]]:
    cities, counties, units = 12, 10, 16  # 1,920 leaf units, ~52 cadres each
    ranks = ["其他"] * 30 + ["乡科级"] * 45 + ["县处级"] * 20 + ["厅局级"] * 4 + ["省部级"]
    rows = []
    for i in range(n):
        unit = f"某省/市{i % cities + 1}/县{(i // cities) % counties + 1}/局{(i // (cities * counties)) % units + 1}"
        rows.append([f"P{i:07d}", f"干部{i}", unit, rng.choice(ranks), "科员", "否", f"139{i:08d}"])
    return rows


def write_csv(path: Path, rows: list[list[str]]) -> None:
    lines = ["工号,姓名,单位,职级,职务,主要负责人,手机"] + [",".join(r) for r in rows]
    path.write_text("\n".join(lines), encoding="utf-8")


def change(rows: list[list[str]], k: int, rng: random.Random) -> list[list[str]]:
    rows = [list(r) for r in rows]
    for n, i in enumerate(rng.sample(range(len(rows)), k)):
        if n % 3 == 0:
            rows[i][2] = "某省/市1/县1/新设局"  # moved
        elif n % 3 == 1:
            rows[i][3] = "县处级" if rows[i][3] != "县处级" else "乡科级"  # re-ranked
        else:
            rows[i][1] += "（更名）"  # renamed
    return rows


def env_for(server: str, db: str) -> dict:
    env = dict(os.environ)
    env.update(DATABASE_URL=f"{server}/{db}", DJANGO_SETTINGS_MODULE="bench.settings", PYTHONPATH=str(ROOT))
    return env


def py(code: str, env: dict, *args: str) -> dict | str:
    code = code.replace("PASSWORD", repr(PROBE_PASSWORD))
    out = subprocess.run([PY, "-c", code, *args], cwd=ROOT, env=env, check=True, text=True, capture_output=True)  # noqa: S603
    last = out.stdout.strip().splitlines()[-1]
    return json.loads(last) if last.startswith("{") else last


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def describe(label: str, samples: list[tuple[float, float, int]]) -> str:
    lat = [s[1] * 1000 for s in samples]
    bad = sum(1 for s in samples if s[2] != 302)
    if not lat:
        return f"{label}: no sign-ins"
    return (
        f"{label}: {len(lat)} sign-ins, {bad} failed; median {statistics.median(lat):.0f} ms, "
        f"p95 {pct(lat, 95):.0f} ms, max {max(lat):.0f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cadres", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=1_000)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--db", default="bench_roster")
    parser.add_argument("--baseline-seconds", type=float, default=20)
    opts = parser.parse_args()
    server, db, base = opts.server, opts.db, f"{opts.db}_base"
    if not exists(server, base):
        print(f"migrating {base} (once) ...", flush=True)
        admin_sql(server, f"CREATE DATABASE {base}")
        subprocess.run([PY, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env_for(server, base), check=True)  # noqa: S603
    admin_sql(server, f"DROP DATABASE IF EXISTS {db}", f"CREATE DATABASE {db} TEMPLATE {base}")
    env = env_for(server, db)
    py(SETUP, env)

    rng = random.Random(20)  # noqa: S311 - synthetic data
    work = Path(tempfile.mkdtemp(prefix="roster-bench-"))
    rows = roster_rows(opts.cadres, rng)
    full, changed = work / "full.csv", work / "changed.csv"
    write_csv(full, rows)
    write_csv(changed, change(rows, opts.changes, rng))
    print(f"roster: {opts.cadres} rows, {full.stat().st_size / 2**20:.1f} MB; changed copy: {opts.changes} rows")

    stop, log = work / "stop", work / "probe.jsonl"
    probe = subprocess.Popen(  # noqa: S603
        [PY, "-c", PROBE.replace("PASSWORD", repr(PROBE_PASSWORD)), str(stop), str(log)], cwd=ROOT, env=env
    )
    try:
        time.sleep(opts.baseline_seconds)
        t_import = time.time()
        first = py(IMPORT, env, str(full), INITIAL_PASSWORD)
        t_reimport = time.time()
        second = py(IMPORT, env, str(changed), "")
        t_end = time.time()
        time.sleep(3)
    finally:
        stop.touch()
        probe.wait(timeout=60)
    samples = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    verify = py(VERIFY, env)

    def window(a, b):
        return [s for s in samples if a <= s[0] < b]

    total1, total2 = first["check"] + first["write"], second["check"] + second["write"]
    print(
        f"import of {opts.cadres} new cadres (batches of {first['batch']}): check {first['check']:.1f} s + "
        f"write {first['write']:.1f} s = {total1:.1f} s (target < 600 s) — {first['status']}: {first['summary']}"
    )
    print(
        f"re-import with {opts.changes} changes: check {second['check']:.1f} s + write {second['write']:.1f} s = "
        f"{total2:.1f} s (target < 60 s) — {second['status']}: {second['summary']}"
    )
    print(describe("sign-in before the import (baseline)", window(0, t_import)))
    print(describe("sign-in during the import", window(t_import, t_reimport)))
    print(describe("sign-in during the re-import", window(t_reimport, t_end)))
    base_lat = [s[1] for s in window(0, t_import)]
    during = [s[1] for s in window(t_import, t_reimport)]
    if base_lat and during:
        print(
            f"ratio during/baseline: median {statistics.median(during) / statistics.median(base_lat):.2f}, "
            f"p95 {pct(during, 95) / pct(base_lat, 95):.2f}"
        )
    print(f"check: {verify}")


if __name__ == "__main__":
    main()
