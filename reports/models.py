"""Report counters (kept current by events, never computed per request), reminders and exports.

Every counter row is stored for the cadre's unit AND every ancestor of it, so a unit's row
already holds its whole subtree and a report reads only the unit's own rows and its
children's rows. ``rank`` is part of each key so the rank filter needs no fallback query.
"""

import secrets
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import OrgUnit
from accounts.roles import Rank
from core.storage import private_storage

# Stand-in for "no deadline" (elective/self enrolments, 学时 credits): NULL would make the
# unique key useless for upserts (NULLs are distinct), and it never counts as overdue.
NO_DUE = date(9999, 12, 31)


class CadreTally(models.Model):
    """What one cadre last contributed to the counters: the old value every event subtracts.

    ``user_id`` is a plain integer, not a foreign key, so the row survives the user's deletion
    until the refresh that subtracts it runs.
    """

    user_id = models.BigIntegerField(_("用户"), primary_key=True)
    units = models.JSONField(_("所在单位及上级"), default=list)
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices)
    # {"c": {"course:year:due": [enrolled, completed, "hours"]}, "q": {"quiz:year": "percent"}}
    data = models.JSONField(_("贡献"), default=dict)

    class Meta:
        verbose_name = _("干部计数快照")
        verbose_name_plural = _("干部计数快照")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.units}"


class CadreCounter(models.Model):
    """Cadres of a unit's subtree by rank."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices)
    cadres = models.IntegerField(_("干部数"), default=0)

    class Meta:
        verbose_name = _("干部数计数")
        verbose_name_plural = _("干部数计数")
        constraints = [models.UniqueConstraint(fields=["org_unit", "rank"], name="cadrecounter_key")]

    def __str__(self) -> str:
        return f"{self.org_unit_id}/{self.rank}: {self.cadres}"


class CourseCounter(models.Model):
    """Enrolments, completions and 学时 of a unit's subtree per course, year, deadline and rank.

    Rows with a real ``due_date`` are assigned courses; overdue = enrolled − completed over rows
    whose due_date has passed, so no time-driven update is needed. 学时 credits sit on
    ``NO_DUE`` rows under the year they were credited.
    """

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    # No database constraint: a deleted course's rows are emptied by the events that delete
    # its enrolments and removed by reports_rebuild.
    course = models.ForeignKey(
        "learning.CoursePage",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        verbose_name=_("课程"),
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    due_date = models.DateField(_("截止日期"))
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices)
    enrolled = models.IntegerField(_("选课人数"), default=0)
    completed = models.IntegerField(_("完成人数"), default=0)
    hours = models.DecimalField(_("学时"), max_digits=14, decimal_places=2, default=0)

    class Meta:
        verbose_name = _("课程计数")
        verbose_name_plural = _("课程计数")
        constraints = [
            models.UniqueConstraint(
                fields=["org_unit", "year", "course", "due_date", "rank"], name="coursecounter_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org_unit_id}/{self.course_id}/{self.year}/{self.due_date}/{self.rank}"


class QuizCounter(models.Model):
    """Graded quiz results (the quiz's grade per cadre, in percent) of a unit's subtree, with score bands."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    quiz = models.ForeignKey(
        "quizzes.Quiz", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+", verbose_name=_("测验")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices)
    graded = models.IntegerField(_("成绩人数"), default=0)
    score_sum = models.DecimalField(_("成绩合计"), max_digits=14, decimal_places=1, default=0)
    band0 = models.IntegerField(_("60分以下"), default=0)
    band1 = models.IntegerField(_("60–69分"), default=0)
    band2 = models.IntegerField(_("70–79分"), default=0)
    band3 = models.IntegerField(_("80–89分"), default=0)
    band4 = models.IntegerField(_("90分以上"), default=0)

    class Meta:
        verbose_name = _("测验计数")
        verbose_name_plural = _("测验计数")
        constraints = [models.UniqueConstraint(fields=["org_unit", "year", "quiz", "rank"], name="quizcounter_key")]

    def __str__(self) -> str:
        return f"{self.org_unit_id}/{self.quiz_id}/{self.year}/{self.rank}"


class CompletionMonth(models.Model):
    """Completions per unit subtree and local month (first day of it): the "progress over time" line."""

    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("单位"))
    month = models.DateField(_("月份"))
    completed = models.IntegerField(_("完成人次"), default=0)

    class Meta:
        verbose_name = _("每月完成计数")
        verbose_name_plural = _("每月完成计数")
        constraints = [models.UniqueConstraint(fields=["org_unit", "month"], name="completionmonth_key")]

    def __str__(self) -> str:
        return f"{self.org_unit_id}/{self.month}: {self.completed}"


class Reminder(models.Model):
    """A reminder to an overdue cadre; at most one per (cadre, course, local day)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("学员")
    )
    course = models.ForeignKey(
        "learning.CoursePage", on_delete=models.CASCADE, related_name="+", verbose_name=_("课程")
    )
    day = models.DateField(_("提醒日期"))
    due_date = models.DateField(_("截止日期"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("提醒人")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    seen_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("催学提醒")
        verbose_name_plural = _("催学提醒")
        constraints = [models.UniqueConstraint(fields=["user", "course", "day"], name="reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.course_id} · {self.day}"


class ExportStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("生成中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", _("Excel")
    CSV = "csv", _("CSV")


def export_upload_to(instance, filename: str) -> str:
    """An unguessable name in the private storage; the download is named after the export's title."""
    suffix = Path(filename).suffix.lower()[:8]
    return f"exports/{timezone.now():%Y/%m}/{secrets.token_urlsafe(24)}{suffix}"


class ReportExport(models.Model):
    """A report export generated in the background and downloadable by the trainer who asked for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("申请人")
    )
    view = models.CharField(_("报表"), max_length=20)
    params = models.JSONField(_("条件"), default=dict, blank=True)
    fmt = models.CharField(_("格式"), max_length=4, choices=ExportFormat.choices)
    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=10, choices=ExportStatus.choices, default=ExportStatus.PENDING)
    file = models.FileField(_("文件"), upload_to=export_upload_to, storage=private_storage, blank=True, max_length=200)
    rows = models.IntegerField(_("行数"), default=0)
    error = models.TextField(_("错误"), blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("报表导出")
        verbose_name_plural = _("报表导出")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ExportStatus.values), name="reportexport_status_valid"),
            models.CheckConstraint(condition=Q(fmt__in=ExportFormat.values), name="reportexport_fmt_valid"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def expires_at(self):
        """When the file stops being downloadable (REPORT_EXPORT_TTL_HOURS after it was finished)."""
        if self.finished_at is None:
            return None
        return self.finished_at + timedelta(hours=settings.REPORT_EXPORT_TTL_HOURS)

    def is_expired(self, now=None) -> bool:
        expires = self.expires_at
        return expires is not None and (now or timezone.now()) >= expires
