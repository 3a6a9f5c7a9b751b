"""Deployment checklist and static security analysis, run as tests."""

import json
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_check_deploy_clean_with_production_settings():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "mingjian.example.org",
        # Required in production (config/settings/production.py refuses to start without them).
        "WAGTAILADMIN_BASE_URL": "https://mingjian.example.org",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
    }
    done = subprocess.run(  # noqa: S603 - fixed argv
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues" in output, output


def test_bandit_finds_no_high_severity_issue():
    bandit = shutil.which("bandit", path=str(Path(sys.executable).parent)) or shutil.which("bandit")
    if bandit is None:
        pytest.fail("bandit is not installed (pip install -r requirements-dev.txt)")
    excluded = ",".join(str(REPO / p) for p in (".venv", "tests", "node_modules", "bench", "test-artifacts", "backups"))
    done = subprocess.run(  # noqa: S603 - fixed argv
        [bandit, "-q", "-r", str(REPO), "-x", excluded, "-f", "json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout)
    assert report["metrics"]["_totals"]["loc"] > 1000, "bandit scanned (almost) nothing"
    assert not report["errors"], report["errors"]
    high = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
        if r["issue_severity"] == "HIGH"
    ]
    assert not high, "bandit high-severity findings:\n" + "\n".join(high)
