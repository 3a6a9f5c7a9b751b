from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting

from accounts.roles import Rank

PATH_SEPARATOR = "/"


class User(AbstractUser):
    """A person who signs in: cadre, editor, reviewer, trainer or administrator."""

    name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Set for a new roster account and after a reset: the next request goes to the change page.
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True, editable=False)
    # 退出所有设备: browser sessions signed in before this moment end at their next request.
    sessions_ended_at = models.DateTimeField(_("退出所有设备时间"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        permissions = [
            ("reset_cadre_password", _("可以重置管辖范围内干部的密码并解除锁定")),
            ("view_personal_data", _("可以查看完整手机号和邮箱")),
        ]

    def set_password(self, raw_password):
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def get_full_name(self) -> str:
        return self.name or super().get_full_name() or self.get_username()

    def get_short_name(self) -> str:
        return self.name or self.get_username()

    def __str__(self) -> str:
        return f"{self.name}（{self.username}）" if self.name else self.username


class OrgUnit(MP_Node):
    """组织/单位: province → city → county → unit. Trainers are responsible for subtrees."""

    name = models.CharField(_("名称"), max_length=100)
    # The whole path ("某省/某市/某县/交通运输局"), unique, so rosters can name a unit
    # and the database refuses two siblings with one name.
    full_path = models.CharField(_("完整路径"), max_length=500, unique=True, editable=False)

    # No node_order_by: sorted insertion would rewrite siblings' paths on every new unit;
    # appended children keep every existing path stable.

    class Meta:
        verbose_name = _("组织单位")
        verbose_name_plural = _("组织单位")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="orgunit_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.full_path or self.name

    @property
    def level(self) -> int:
        return self.depth

    @property
    def indented_name(self) -> str:
        return "\u3000" * (self.depth - 1) + self.name


class CadreProfile(models.Model):
    """The cadre record behind a user: unit, employee number, rank and post."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cadre_profile", verbose_name=_("用户")
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.PROTECT, related_name="cadres", verbose_name=_("所在单位"))
    employee_no = models.CharField(
        _("工号"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("工号只能包含字母、数字、下划线和连字符"))],
    )
    rank = models.PositiveSmallIntegerField(_("职级"), choices=Rank.choices, default=Rank.OTHER, db_index=True)
    position = models.CharField(_("职务"), max_length=100, blank=True)
    is_principal = models.BooleanField(_("主要负责人"), default=False, help_text=_("本单位一把手"))
    phone = models.CharField(
        _("手机"), max_length=20, blank=True, validators=[RegexValidator(r"^\+?[0-9-]{6,20}$", _("手机号格式不正确"))]
    )

    panels = [
        FieldPanel("user"),
        FieldPanel("employee_no"),
        FieldPanel("org_unit"),
        FieldPanel("rank"),
        FieldPanel("position"),
        FieldPanel("is_principal"),
        FieldPanel("phone"),
    ]

    class Meta:
        verbose_name = _("干部档案")
        verbose_name_plural = _("干部档案")
        permissions = [("import_roster", _("可以导入干部花名册"))]
        constraints = [
            models.CheckConstraint(condition=Q(rank__in=Rank.values), name="cadreprofile_rank_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name()}（{self.employee_no}）"


class TrainerScope(models.Model):
    """One subtree a trainer is responsible for; a trainer may have several."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trainer_scopes", verbose_name=_("培训管理员")
    )
    org_unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("负责单位"))

    panels = [FieldPanel("user"), FieldPanel("org_unit")]

    class Meta:
        verbose_name = _("培训管理范围")
        verbose_name_plural = _("培训管理范围")
        constraints = [models.UniqueConstraint(fields=["user", "org_unit"], name="trainerscope_unique")]

    def __str__(self) -> str:
        return f"{self.user} → {self.org_unit}"


@register_setting(icon="time")
class TrainingTargets(BaseGenericSetting):
    """Annual 学时 targets per rank, set by administrators."""

    target_provincial = models.DecimalField(
        _("省部级年度学时目标"), max_digits=6, decimal_places=2, default=50, validators=[MinValueValidator(0)]
    )
    target_bureau = models.DecimalField(
        _("厅局级年度学时目标"), max_digits=6, decimal_places=2, default=50, validators=[MinValueValidator(0)]
    )
    target_county = models.DecimalField(
        _("县处级年度学时目标"), max_digits=6, decimal_places=2, default=50, validators=[MinValueValidator(0)]
    )
    target_township = models.DecimalField(
        _("乡科级年度学时目标"), max_digits=6, decimal_places=2, default=50, validators=[MinValueValidator(0)]
    )
    target_other = models.DecimalField(
        _("其他人员年度学时目标"), max_digits=6, decimal_places=2, default=50, validators=[MinValueValidator(0)]
    )

    panels = [
        MultiFieldPanel(
            [
                FieldPanel("target_provincial"),
                FieldPanel("target_bureau"),
                FieldPanel("target_county"),
                FieldPanel("target_township"),
                FieldPanel("target_other"),
            ],
            heading=_("年度学时目标"),
        )
    ]

    class Meta:
        verbose_name = _("学时目标")

    def target_for(self, rank: int):
        return getattr(self, f"target_{Rank(rank).name.lower()}")


class RosterImportJob(models.Model):
    """A roster file checked in the request and written by the task worker in bounded batches."""

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")
        RUNNING = "running", _("导入中")
        DONE = "done", _("已完成")
        FAILED = "failed", _("失败")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("导入人")
    )
    filename = models.CharField(_("文件名"), max_length=255)
    # The uploaded bytes until the worker has read them (cleared when the job ends).
    data = models.BinaryField(_("文件内容"), blank=True, default=b"")
    # The initial password's hash (never the password itself); blank: new accounts cannot sign in yet.
    password_hash = models.CharField(_("初始密码哈希"), max_length=256, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    done = models.PositiveIntegerField(_("已写入行数"), default=0)
    errors = models.JSONField(_("错误"), default=list, blank=True)
    summary = models.TextField(_("结果"), blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("花名册导入任务")
        verbose_name_plural = _("花名册导入任务")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "running", "done", "failed"]), name="rosterimportjob_status_valid"
            ),
            models.CheckConstraint(condition=Q(done__lte=models.F("total")), name="rosterimportjob_done_le_total"),
        ]

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(self.done * 100 / self.total)


class PasswordHistory(models.Model):
    """A hash of a password a user had, so the policy can refuse the last few (accounts.passwords)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history", verbose_name=_("用户")
    )
    password = models.CharField(_("密码哈希"), max_length=128)
    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("历史密码")
        verbose_name_plural = _("历史密码")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d}"
