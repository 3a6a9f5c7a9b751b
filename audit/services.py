"""The one writer of the audit log (audit.models.AuditEntry), and its archive."""

import json
import logging
import os
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import db
from audit.context import current_request
from audit.models import Action, AuditEntry, Result

logger = logging.getLogger(__name__)


def client_ip(request) -> str | None:
    """The client's address as django-axes sees it (AXES_IPWARE_PROXY_COUNT for proxies)."""
    if request is None:
        return None
    from axes.helpers import get_client_ip_address

    try:
        return get_client_ip_address(request) or None
    except Exception:  # noqa: BLE001 - a malformed header must not stop the audited action
        return request.META.get("REMOTE_ADDR") or None


def _unit_of(user) -> str:
    profile = getattr(user, "cadre_profile", None) if user is not None and getattr(user, "pk", None) else None
    try:
        return profile.org_unit.full_path if profile is not None else ""
    except Exception:  # noqa: BLE001 - a half-deleted profile must not stop the audited action
        return ""


def audit_record(
    *,
    action: Action | str,
    request=None,
    actor=None,
    actor_username: str = "",
    target=None,
    object_type: str = "",
    object_id: str | int = "",
    object_repr: str = "",
    result: Result | str = Result.SUCCESS,
    unit_path: str | None = None,
    detail: dict | None = None,
) -> AuditEntry:
    """Append one entry. `request` defaults to the current request (audit.context); `actor` to its user.

    `target` is the object acted on (a model instance); its type, id and text are taken from it,
    and the unit is the target's (a cadre's unit) or else the actor's.
    """
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    if target is not None:
        object_type = object_type or f"{target._meta.app_label}.{target._meta.model_name}"
        object_id = object_id or target.pk
        object_repr = object_repr or str(target)
    if unit_path is None:
        unit_path = _unit_of(target) if target is not None and target._meta.model_name == "user" else ""
        unit_path = unit_path or _unit_of(actor)
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_username=(actor.get_username() if actor is not None else actor_username)[:150],
        actor_name=(getattr(actor, "name", "") or "")[:50],
        ip_address=client_ip(request),
        action=str(action),
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_repr=str(object_repr)[:255],
        result=str(result),
        unit_path=unit_path[:500],
        detail=detail or {},
    )


def audit_record_many(*, entries: list[dict], request=None, actor=None, batch_size: int = 1000) -> int:
    """Append many entries in bulk (a roster import's role grants): one INSERT per `batch_size` entries.

    Each dict holds `action`, `target` (a model instance) and optionally `unit_path`, `detail` and
    `result`; the actor and address are the same for all, as in `audit_record`. Returns how many."""
    request = request if request is not None else current_request()
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        actor = user if user is not None and user.is_authenticated else None
    ip = client_ip(request)
    actor_fields = {
        "actor_id": getattr(actor, "pk", None),
        "actor_username": (actor.get_username() if actor is not None else "")[:150],
        "actor_name": (getattr(actor, "name", "") or "")[:50],
        "ip_address": ip,
    }
    now = timezone.now()
    rows = []
    for e in entries:
        target = e["target"]
        rows.append(
            AuditEntry(
                created_at=now,
                **actor_fields,
                action=str(e["action"]),
                object_type=f"{target._meta.app_label}.{target._meta.model_name}"[:100],
                object_id=str(target.pk)[:64],
                object_repr=str(target)[:255],
                result=str(e.get("result", Result.SUCCESS)),
                unit_path=(e.get("unit_path") or "")[:500],
                detail=e.get("detail") or {},
            )
        )
    AuditEntry.objects.bulk_create(rows, batch_size=batch_size)
    return len(rows)


ARCHIVE_FIELDS = [
    "id",
    "created_at",
    "actor_id",
    "actor_username",
    "actor_name",
    "ip_address",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "result",
    "unit_path",
    "detail",
]


def audit_archive(*, directory: Path, retention_days: int | None = None, now=None) -> tuple[int, Path | None]:
    """Write entries older than the retention period to a JSON Lines file, then remove them.

    All or nothing: the file is written and flushed to disk before the rows are deleted in the same
    transaction; a failure leaves every row in place. Returns (entries archived, file or None).
    """
    days = retention_days if retention_days is not None else settings.AUDIT_RETENTION_DAYS
    now = now or timezone.now()
    cutoff = now - timedelta(days=days)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-{now:%Y%m%dT%H%M%S}-before-{cutoff:%Y%m%d}.jsonl"
    with transaction.atomic():
        old = AuditEntry.objects.filter(created_at__lt=cutoff).order_by("pk")
        ids = []
        with path.open("x", encoding="utf-8") as handle:
            for row in old.values(*ARCHIVE_FIELDS).iterator(chunk_size=2000):
                row["created_at"] = row["created_at"].isoformat()
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
                ids.append(row["id"])
            handle.flush()
            os.fsync(handle.fileno())
        if not ids:
            path.unlink()
            return 0, None
        with db.archive_permit():
            for start in range(0, len(ids), 2000):
                AuditEntry.objects.filter(pk__in=ids[start : start + 2000]).delete()
        audit_record(
            action=Action.AUDIT_ARCHIVE,
            actor_username="system",
            object_repr=path.name,
            detail={"count": len(ids), "before": cutoff.isoformat()},
        )
    logger.info("audit archive: %d entries before %s written to %s", len(ids), cutoff, path)
    return len(ids), path
