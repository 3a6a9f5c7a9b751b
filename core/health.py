"""Health endpoints for load balancers and monitoring: cheap, no session, never cached.

- `/healthz`: the process answers (no database).
- `/readyz`: the database answers, every migration is applied, the cache answers, and the oldest task
  waiting in the queue (due now) is younger than READYZ_MAX_TASK_AGE_SECONDS (a stopped task worker
  shows here). 200 with the checks as JSON, or 503 naming what failed.
"""

import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

_migrations_applied = False  # once true it stays true for the life of the process (a deploy restarts it)


def _check_database() -> str | None:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
    return None


def _check_migrations() -> str | None:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "unapplied migrations"
        _migrations_applied = True
    return None


def _check_cache() -> str | None:
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "1", 10)
    ok = cache.get(key) == "1"
    cache.delete(key)
    return None if ok else "cache did not return what was written"


def _check_tasks() -> str | None:
    from django.db.models import Case, F, When
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    # Waiting since it became due: enqueued, or its run_after for a deferred task (a quiz deadline).
    oldest = (
        DBTaskResult.objects.ready()
        .annotate(due=Case(When(run_after=get_date_max(), then=F("enqueued_at")), default=F("run_after")))
        .order_by("due")
        .values_list("due", flat=True)
        .first()
    )
    if oldest is None:
        return None
    age = (now - oldest).total_seconds()
    if age > settings.READYZ_MAX_TASK_AGE_SECONDS:
        return f"oldest queued task waiting {int(age)} s (is db_worker running?)"
    return None


CHECKS = {"database": _check_database, "migrations": _check_migrations, "cache": _check_cache, "tasks": _check_tasks}


@never_cache
@require_safe
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def readyz(request):
    started = time.monotonic()
    results, failed = {}, False
    for name, check in CHECKS.items():
        try:
            problem = check()
        except Exception as exc:  # a check that cannot run is a failed check, never a 500
            problem = f"{type(exc).__name__}: {exc}"[:200]
        results[name] = problem or "ok"
        failed = failed or problem is not None
    body = {
        "status": "fail" if failed else "ok",
        "checks": results,
        "ms": round((time.monotonic() - started) * 1000, 1),
    }
    return JsonResponse(body, status=503 if failed else 200)
