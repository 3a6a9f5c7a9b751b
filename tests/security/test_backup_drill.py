"""Backup drill: demo data → `make backup` → `make restore` into an EMPTY database → identical row counts.

Runs on the database the suite runs on: SQLite (a copy of the migrated test database) or
PostgreSQL (databases cloned from the test database's template), with the real Makefile targets.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from django.apps import apps
from django.db import connection

REPO = Path(__file__).resolve().parents[2]
# Every model's table is compared; these must also be non-empty, or the drill proved nothing for them:
# people, quiz attempts and their graded answers (results), enrolments (completions), 学时 ledger rows,
# certificates and reflections.
MUST_HAVE_ROWS = [
    "accounts_user",
    "accounts_orgunit",
    "accounts_cadreprofile",
    "accounts_trainerscope",
    "auth_group",
    "quizzes_attempt",
    "quizzes_attemptslot",
    "learning_enrolment",
    "learning_creditledger",
    "learning_certificate",
]
# Rows counted by meaning, not just by table: finished (graded) attempts, completed enrolments, ledger rows.
ACTIVITY = """
import json
from django.db.models import Sum
from learning.models import CreditLedger, Enrolment
from quizzes.models import Attempt, AttemptSlot
print(json.dumps({
    "graded_attempts": Attempt.objects.filter(state="finished", score__isnull=False).count(),
    "graded_answers": AttemptSlot.objects.filter(attempt__state="finished", score__isnull=False).count(),
    "completions": Enrolment.objects.filter(completed_at__isnull=False).count(),
    "ledger_rows": CreditLedger.objects.count(),
    "ledger_hours": str(CreditLedger.objects.aggregate(h=Sum("hours"))["h"]),
}))
"""
# If the demo ever stops producing activity, the drill makes some through the services before the backup:
# a cadre submits a quiz, completes a course (enrolment, ledger row, certificate).
ENSURE_ACTIVITY = """
from accounts.models import CadreProfile
from learning import services as ls
from learning.models import CoursePage, CreditLedger, Enrolment
from quizzes import services as qs
from quizzes.models import Attempt, AttemptState, Quiz
profile = CadreProfile.objects.select_related("user").order_by("pk").first()
if not Attempt.objects.filter(state=AttemptState.FINISHED).exists():
    qs.attempt_submit(attempt=qs.attempt_start(user=profile.user, quiz=Quiz.objects.order_by("pk").first()))
if not (Enrolment.objects.filter(completed_at__isnull=False).exists() and CreditLedger.objects.exists()):
    ls.course_complete(user=profile.user, course=CoursePage.objects.live().order_by("pk").first())
"""


def _model_tables() -> set[str]:
    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.managed and not model._meta.proxy:
            tables.add(model._meta.db_table)
    return tables


def _run(args, env):
    done = subprocess.run(args, cwd=REPO, env=env, capture_output=True, text=True, timeout=600)  # noqa: S603
    assert done.returncode == 0, f"{' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _counts(env) -> dict[str, int]:
    script = (
        "import json, sys; sys.path.insert(0, 'scripts'); import backup; s = backup._setup_django();"
        "print(json.dumps(backup.table_counts(s.DATABASES['default'])))"
    )
    import json

    return json.loads(_run([str(REPO / ".venv/bin/python"), "-c", script], env).strip().splitlines()[-1])


def _base_env(tmp_path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.test",
        MEDIA_ROOT=str(tmp_path / "media"),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    return env


@pytest.fixture
def drill_databases(tmp_path, db):
    """(source env, empty target env): a copy of the freshly migrated test database, and an empty database.

    The test's own transaction writes nothing, so the copy holds exactly what migrations made.
    """
    settings_dict = connection.settings_dict
    test_name = settings_dict["NAME"]
    base = _base_env(tmp_path)
    if connection.vendor == "sqlite":
        source = tmp_path / "source.sqlite3"
        src = sqlite3.connect(test_name)
        dst = sqlite3.connect(source)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        yield {**base, "SQLITE_PATH": str(source)}, {**base, "SQLITE_PATH": str(tmp_path / "restored.sqlite3")}
        return
    if connection.vendor != "postgresql":
        pytest.skip(f"no backup drill for {connection.vendor}")
    name = test_name
    src_name, dst_name = f"{name}_drill_src", f"{name}_drill_dst"
    user = settings_dict.get("USER") or "postgres"
    auth = f"{user}:{settings_dict['PASSWORD']}@" if settings_dict.get("PASSWORD") else f"{user}@"
    host = f"{settings_dict.get('HOST') or '127.0.0.1'}:{settings_dict.get('PORT') or 5432}"
    with connection._nodb_cursor() as cursor:
        for name_ in (src_name, dst_name):
            cursor.execute(f'DROP DATABASE IF EXISTS "{name_}"')
            cursor.execute(f'CREATE DATABASE "{name_}"')
    pg_env = {**os.environ, "PGHOST": host.split(":")[0], "PGPORT": host.split(":")[1], "PGUSER": user}
    if settings_dict.get("PASSWORD"):
        pg_env["PGPASSWORD"] = settings_dict["PASSWORD"]
    # The migrated test database copied into the source (the drill itself then uses make backup/restore).
    dump = subprocess.run(  # noqa: S603 - fixed argv
        ["pg_dump", "--format=custom", "--no-owner", name],  # noqa: S607 - the PostgreSQL client on PATH
        env=pg_env,
        capture_output=True,
        check=True,
    )
    subprocess.run(  # noqa: S603 - fixed argv
        ["pg_restore", "--no-owner", "--exit-on-error", "--dbname", src_name],  # noqa: S607 - client on PATH
        input=dump.stdout,
        env=pg_env,
        check=True,
    )
    try:
        yield (
            {**base, "DATABASE_URL": f"postgres://{auth}{host}/{src_name}"},
            {**base, "DATABASE_URL": f"postgres://{auth}{host}/{dst_name}"},
        )
    finally:
        with connection._nodb_cursor() as cursor:
            for name_ in (src_name, dst_name):
                cursor.execute(f'DROP DATABASE IF EXISTS "{name_}" WITH (FORCE)')


def _activity(env) -> dict:
    import json

    out = _run([str(REPO / ".venv/bin/python"), "manage.py", "shell", "-c", ACTIVITY], env)
    return json.loads(out.strip().splitlines()[-1])


def test_backup_and_restore_into_empty_database(drill_databases, tmp_path):
    source_env, target_env = drill_databases
    python = str(REPO / ".venv/bin/python")
    _run([python, "manage.py", "load_demo"], source_env)
    _run([python, "manage.py", "shell", "-c", ENSURE_ACTIVITY], source_env)
    media = Path(source_env["MEDIA_ROOT"])
    (media / "images").mkdir(parents=True)
    (media / "images" / "案例配图.png").write_bytes(b"\x89PNG fake image bytes")

    out = _run(["make", "-s", "backup"], source_env)
    assert "备份完成" in out
    (backup_dir,) = [p for p in (tmp_path / "backups").iterdir() if p.is_dir()]
    assert (backup_dir / "manifest.json").exists()

    # Restore into the empty database, with the media folder gone.
    (media / "images" / "案例配图.png").unlink()
    out = _run(["make", "-s", "restore"], target_env)
    assert "行数与备份一致" in out

    before, after = _counts(source_env), _counts(target_env)
    tables = _model_tables()
    assert tables <= set(before), f"tables missing from the source: {tables - set(before)}"
    mismatched = {t: (before[t], after.get(t)) for t in tables if before[t] != after.get(t)}
    assert not mismatched, f"row counts differ after restore (source, restored): {mismatched}"
    empty = [t for t in MUST_HAVE_ROWS if before[t] == 0]
    assert not empty, f"the drill proved nothing for empty tables {empty}"
    assert before["accounts_cadreprofile"] >= 70
    activity = _activity(source_env)
    assert all(activity[k] for k in ("graded_attempts", "graded_answers", "completions", "ledger_rows")), activity
    assert _activity(target_env) == activity
    assert (media / "images" / "案例配图.png").read_bytes() == b"\x89PNG fake image bytes"


def test_restore_refuses_a_non_empty_database(drill_databases, tmp_path):
    source_env, _target_env = drill_databases
    _run(["make", "-s", "backup"], source_env)
    done = subprocess.run(  # noqa: S603 - fixed argv
        ["make", "-s", "restore"],  # noqa: S607 - make on PATH
        cwd=REPO,
        env=source_env,
        capture_output=True,
        text=True,
        timeout=300,  # noqa: S607
    )
    assert done.returncode != 0
    assert "不是空的" in done.stderr
