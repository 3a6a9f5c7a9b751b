"""/healthz and /readyz, the request id and its log line, and the production settings' requirements."""

import logging
import os
import subprocess
import sys
from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_healthz_needs_no_database_and_sets_no_cookie(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"] or "no-store" in response["Cache-Control"]


def test_readyz_ok(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json()["checks"] == {"database": "ok", "migrations": "ok", "cache": "ok", "tasks": "ok"}
    assert not response.cookies
    assert "max-age=0" in response["Cache-Control"]


def _queued(age_seconds: int, **extra):
    from django_tasks_db.models import DBTaskResult, get_date_max

    task = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="reports.tasks.run_export",
        backend_name="default",
        run_after=extra.pop("run_after", get_date_max()),
        **extra,
    )
    DBTaskResult.objects.filter(pk=task.pk).update(enqueued_at=timezone.now() - timedelta(seconds=age_seconds))
    return task


def test_readyz_fails_when_queued_tasks_wait_too_long(client, settings):
    settings.READYZ_MAX_TASK_AGE_SECONDS = 60
    _queued(10)
    assert client.get("/readyz").status_code == 200  # a fresh task is normal
    # A deferred task (a quiz deadline tomorrow) enqueued long ago is not late.
    _queued(3600, run_after=timezone.now() + timedelta(days=1))
    assert client.get("/readyz").status_code == 200
    _queued(120)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert "db_worker" in response.json()["checks"]["tasks"]


def test_request_id_header_and_one_log_line(client, caplog):
    with caplog.at_level(logging.INFO, logger="mingjian.request"):
        response = client.get("/healthz", HTTP_X_REQUEST_ID="abcdef0123456789")
        generated = client.get("/healthz", HTTP_X_REQUEST_ID="bad id with spaces")
    assert response["X-Request-ID"] == "abcdef0123456789"
    assert generated["X-Request-ID"] != "bad id with spaces" and len(generated["X-Request-ID"]) == 32
    lines = [r for r in caplog.records if r.name == "mingjian.request"]
    assert len(lines) == 2
    assert lines[0].request_id == "abcdef0123456789" and lines[0].status == 200 and lines[0].path == "/healthz"


def test_json_log_format():
    from core.request_log import JsonFormatter

    record = logging.LogRecord("mingjian.request", logging.INFO, __file__, 1, "GET / 200", (), None)
    record.request_id = "r1"
    record.status = 200
    import json

    data = json.loads(JsonFormatter().format(record))
    assert data["request_id"] == "r1" and data["status"] == 200 and data["message"] == "GET / 200"


def _production_import(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "WAGTAILADMIN_BASE_URL")}
    base.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="mingjian.example.org",
        **env,
    )
    code = "import django; django.setup(); from django.conf import settings; print(settings.EMAIL_BACKEND)"
    return subprocess.run([sys.executable, "-c", code], env=base, capture_output=True, text=True, timeout=60)  # noqa: S603


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"WAGTAILADMIN_BASE_URL": "https://mingjian.example.org"}, "REDIS_URL must be set"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/3"}, "WAGTAILADMIN_BASE_URL must be set"),
        (
            {"REDIS_URL": "redis://127.0.0.1:6379/3", "WAGTAILADMIN_BASE_URL": "http://127.0.0.1:8000"},
            "not a local one",
        ),
    ],
)
def test_production_refuses_to_start_without_required_settings(env, message):
    result = _production_import(**env)
    assert result.returncode != 0 and message in result.stderr


def test_production_sends_mail_over_smtp():
    result = _production_import(REDIS_URL="redis://127.0.0.1:6379/3", WAGTAILADMIN_BASE_URL="https://m.example.org")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.smtp.EmailBackend"
