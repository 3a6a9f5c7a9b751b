"""Reads of the audit log, for 审计管理员 (audit.view_auditentry)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q, QuerySet
from django.utils import timezone

from audit.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    start: date | None = None
    end: date | None = None
    account: str = ""
    action: str = ""
    unit: str = ""


def can_view_audit_log(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("audit.view_auditentry"))


def audit_entries(*, filters: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching the filter, newest first. `unit` matches the unit and every unit under it."""
    entries = AuditEntry.objects.all()
    tz = timezone.get_current_timezone()
    if filters.start:
        entries = entries.filter(created_at__gte=datetime.combine(filters.start, time.min, tzinfo=tz))
    if filters.end:
        entries = entries.filter(created_at__lt=datetime.combine(filters.end + timedelta(days=1), time.min, tzinfo=tz))
    if filters.account:
        entries = entries.filter(
            Q(actor_username__icontains=filters.account)
            | Q(actor_name__icontains=filters.account)
            | Q(object_repr__icontains=filters.account)
        )
    if filters.action:
        entries = entries.filter(action=filters.action)
    if filters.unit:
        unit = filters.unit.strip().rstrip("/")
        entries = entries.filter(Q(unit_path=unit) | Q(unit_path__startswith=unit + "/"))
    return entries.order_by("-created_at", "-pk")
