"""Writes for reports: exports (queued, generated in the background) and reminders to overdue cadres."""

import logging
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.models import OrgUnit
from core import cache
from reports import exports, selectors
from reports.models import ExportFormat, ExportStatus, Reminder, ReportExport

logger = logging.getLogger(__name__)

EXPORT_VIEWS = ("units", "cadres", "courses")
PARAM_NAMES = ("unit", "year", "rank", "kind", "course", "topic")


@transaction.atomic
def export_create(*, user, view: str, params: dict, fmt: str) -> ReportExport:
    """Queue an export of a report view for its requester; scope and filters are checked now and again when it runs."""
    if view not in EXPORT_VIEWS:
        raise ValidationError(_("未知的报表类型。"))
    if fmt not in ExportFormat.values:
        raise ValidationError(_("导出格式不正确。"))
    params = {k: str(params[k]) for k in PARAM_NAMES if params.get(k) not in (None, "")}
    title, _tables = exports.tables(user=user, view=view, params=params)  # raises on scope or filter errors
    export = ReportExport(user=user, view=view, params=params, fmt=fmt, title=title[:200])
    export.full_clean(exclude=["file"])
    export.save()
    from reports.tasks import run_export

    run_export.enqueue(export.pk)
    return export


def export_run(*, export_id: int) -> ReportExport | None:
    """Generate the file of a queued export; runs once (a conditional UPDATE claims it)."""
    if not ReportExport.objects.filter(pk=export_id, status=ExportStatus.PENDING).update(status=ExportStatus.RUNNING):
        return None
    export = ReportExport.objects.select_related("user").get(pk=export_id)
    try:
        title, tables = exports.tables(
            user=export.user, view=export.view, params=export.params, csv_only=export.fmt == "csv"
        )
        with tempfile.TemporaryFile() as tmp:
            if export.fmt == ExportFormat.XLSX:
                rows = exports.write_xlsx(tables, tmp)
            else:
                rows = exports.write_csv(tables[0], tmp)
            tmp.seek(0)
            name = get_valid_filename(f"{title}.{export.fmt}") or f"report.{export.fmt}"
            export.file.save(name, File(tmp), save=False)
        export.rows = rows
        export.status = ExportStatus.DONE
    except (PermissionDenied, ValidationError) as exc:
        export.status = ExportStatus.FAILED
        export.error = "；".join(getattr(exc, "messages", [str(exc)]))
    except Exception as exc:  # recorded for the trainer, then re-raised for the task log
        export.status = ExportStatus.FAILED
        export.error = _("生成失败，请稍后重试。")
        export.finished_at = timezone.now()
        export.save()
        logger.exception("export %s failed", export_id)
        raise exc
    export.finished_at = timezone.now()
    export.save()
    return export


@dataclass
class RemindResult:
    """What one click on 提醒 did: who got a reminder, and who was skipped and why."""

    overdue: int = 0  # overdue enrolments (人次) matched, as the button counted them
    created: int = 0  # new reminders (shown on the cadre's dashboard)
    already_today: list[str] = field(default_factory=list)  # "姓名《课程》" reminded earlier today
    merged: int = 0  # the same cadre and course overdue in more than one year: one reminder
    no_email: list[str] = field(default_factory=list)  # names reminded on the dashboard only (no e-mail address)

    @property
    def skipped(self) -> int:
        return len(self.already_today) + self.merged

    def message(self) -> str:
        parts = [_("逾期 %(n)s 人次，已新发提醒 %(c)s 人次。") % {"n": self.overdue, "c": self.created}]
        if self.already_today:
            parts.append(
                _("跳过 %(n)s 人次（今天已提醒过）：%(names)s。")
                % {"n": len(self.already_today), "names": _names(self.already_today)}
            )
        if self.merged:
            parts.append(_("跳过 %(n)s 人次（同一学员同一课程在多个年度逾期，合并为一条提醒）。") % {"n": self.merged})
        if self.no_email:
            parts.append(
                _("其中 %(n)s 人没有登记电子邮箱，只在首页收到提醒：%(names)s。")
                % {"n": len(self.no_email), "names": _names(self.no_email)}
            )
        return "".join(parts)


def _names(items: list[str], limit: int = 10) -> str:
    shown = "、".join(items[:limit])
    return shown + (_("等 %(n)s 人次") % {"n": len(items)} if len(items) > limit else "")


def exports_delete_expired(*, now=None) -> int:
    """Delete the files of exports finished more than REPORT_EXPORT_TTL_HOURS ago (and any file still left
    under the public media root by versions before private storage); the rows stay, without a file.
    Returns how many files were deleted."""
    from django.core.files.storage import default_storage

    now = now or timezone.now()
    cutoff = now - timedelta(hours=settings.REPORT_EXPORT_TTL_HOURS)
    deleted = 0
    expired = ReportExport.objects.exclude(file="").filter(finished_at__lt=cutoff)
    for export in expired.iterator():
        name = export.file.name
        if name.startswith("report_exports/"):  # written to MEDIA_ROOT before exports became private
            default_storage.delete(name)
        else:
            export.file.storage.delete(name)
        ReportExport.objects.filter(pk=export.pk).update(file="")
        deleted += 1
    return deleted


@transaction.atomic
def remind_overdue(
    *,
    by,
    unit: OrgUnit | None,
    filters: selectors.Filters,
    course_id: int | None = None,
    user_id: int | None = None,
    today: date | None = None,
) -> RemindResult:
    """Queue reminders to overdue cadres in scope (optionally one course or one cadre); says who was skipped and why.

    The (user, course, day) unique constraint makes a second click the same day a no-op.
    """
    if not selectors.is_report_user(by):
        raise PermissionDenied(_("仅培训管理员可以发送提醒。"))
    if unit is not None and not selectors.visible_unit(by, unit.pk):
        raise PermissionDenied(_("单位不在您的管理范围内。"))
    today = today or timezone.localdate()
    units = [unit] if unit is not None else selectors.scope_roots(by)
    qs = selectors.overdue_enrolments(units=units, filters=filters, today=today)
    if course_id:
        qs = qs.filter(course_id=course_id)
    if user_id:
        qs = qs.filter(user_id=user_id)
    result = RemindResult()
    pairs = {}
    for uid, cid, due in qs.values_list("user_id", "course_id", "due_date").iterator(chunk_size=2000):
        result.overdue += 1
        if (uid, cid) in pairs:
            result.merged += 1
        pairs.setdefault((uid, cid), due)
    if not pairs:
        return result
    done_today = set(
        Reminder.objects.filter(
            day=today, user_id__in={u for u, _c in pairs}, course_id__in={c for _u, c in pairs}
        ).values_list("user_id", "course_id")
    ) & set(pairs)
    if done_today:
        from django.contrib.auth import get_user_model

        from learning.models import CoursePage

        names = {u.pk: u.get_full_name() for u in get_user_model().objects.filter(pk__in={u for u, _c in done_today})}
        titles = dict(CoursePage.objects.filter(pk__in={c for _u, c in done_today}).values_list("pk", "title"))
        result.already_today = sorted(f"{names.get(u, u)}《{titles.get(c, c)}》" for u, c in done_today)
    started = timezone.now()
    before = Reminder.objects.filter(day=today).count()
    Reminder.objects.bulk_create(
        [
            Reminder(user_id=uid, course_id=cid, day=today, due_date=due, sent_by=by)
            for (uid, cid), due in pairs.items()
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )
    result.created = Reminder.objects.filter(day=today).count() - before
    cache.bump_global()  # bulk_create sends no signals; the reminders may reach whole units
    ids = list(
        Reminder.objects.filter(day=today, emailed_at__isnull=True, sent_by=by, created_at__gte=started).values_list(
            "pk", flat=True
        )
    )
    if ids:
        from reports.tasks import send_reminder_emails

        send_reminder_emails.enqueue(ids)
        result.no_email = sorted(
            {
                r.user.get_full_name()
                for r in Reminder.objects.filter(pk__in=ids).select_related("user")
                if not (r.user.email or "").strip()
            }
        )
    return result


def reminder_emails_send(*, reminder_ids: list[int]) -> int:
    """One e-mail per cadre listing the overdue courses; each reminder is mailed at most once. Returns e-mails sent."""
    now = timezone.now()
    by_user = defaultdict(list)
    for reminder in Reminder.objects.filter(pk__in=reminder_ids, emailed_at__isnull=True).select_related(
        "user", "course"
    ):
        if not reminder.user.email:
            continue
        # Claim it: a retried task or a second worker finds nothing left to send.
        if Reminder.objects.filter(pk=reminder.pk, emailed_at__isnull=True).update(emailed_at=now):
            by_user[reminder.user].append(reminder)
    for user, items in by_user.items():
        lines = "\n".join(
            _("《%(course)s》，截止日期 %(due)s") % {"course": r.course.title, "due": r.due_date.isoformat()}
            for r in items
        )
        send_mail(
            subject=_("【明鉴】学习提醒：您有课程已逾期"),
            message=_("%(name)s同志：\n\n以下必修课程已超过截止日期，请尽快完成学习：\n%(lines)s\n\n明鉴干部教育平台")
            % {"name": user.get_full_name(), "lines": lines},
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[user.email],
            fail_silently=False,
        )
    return len(by_user)


def notice_seen(*, user, reminder_id: int) -> bool:
    seen = bool(Reminder.objects.filter(pk=reminder_id, user=user, seen_at__isnull=True).update(seen_at=timezone.now()))
    if seen:
        cache.bump_users([user.pk])
    return seen
