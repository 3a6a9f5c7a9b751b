"""The security audit log (等保 2.0 level 3, 安全审计): append-only, written only by audit.services."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Action(models.TextChoices):
    LOGIN_SUCCESS = "login_success", _("登录成功")
    LOGIN_FAILURE = "login_failure", _("登录失败")
    LOCKOUT = "lockout", _("账号锁定")
    LOGOUT = "logout", _("退出登录")
    PASSWORD_CHANGE = "password_change", _("修改密码")
    PASSWORD_RESET = "password_reset", _("重置密码")
    ACCOUNT_UNLOCK = "account_unlock", _("解除锁定")
    OTP_ENROL = "otp_enrol", _("绑定双因素认证")
    OTP_RESET = "otp_reset", _("重置双因素认证")
    ROLE_CHANGE = "role_change", _("角色变更")
    PERMISSION_CHANGE = "permission_change", _("权限变更")
    SCOPE_CHANGE = "scope_change", _("管理范围变更")
    ACCOUNT_CHANGE = "account_change", _("账号与干部档案变更")
    ROSTER_IMPORT = "roster_import", _("导入花名册")
    REPORT_EXPORT = "report_export", _("导出报表")
    REPORT_DOWNLOAD = "report_download", _("下载报表")
    GRADE_CHANGE = "grade_change", _("成绩变更")
    REFLECTION_REVIEW = "reflection_review", _("审阅学习心得")
    CASE_SUBMIT = "case_submit", _("提交审核")
    CASE_APPROVE = "case_approve", _("审核通过")
    CASE_REJECT = "case_reject", _("审核退回")
    CASE_PUBLISH = "case_publish", _("发布")
    CASE_UNPUBLISH = "case_unpublish", _("取消发布")
    SETTINGS_CHANGE = "settings_change", _("设置变更")
    AUDIT_EXPORT = "audit_export", _("导出审计日志")
    AUDIT_ARCHIVE = "audit_archive", _("归档审计日志")


class Result(models.TextChoices):
    SUCCESS = "success", _("成功")
    FAILURE = "failure", _("失败")


class AppendOnly(Exception):
    """Raised by the application when anything tries to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnly("audit entries cannot be changed")

    def delete(self):
        from audit.db import archiving

        if not archiving():
            raise AppendOnly("audit entries are removed only by the archive command (audit.services.audit_archive)")
        return super().delete()


class AuditEntry(models.Model):
    """One security-relevant event. No foreign keys: deleting a user or unit must never touch the log."""

    created_at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    actor_id = models.BigIntegerField(_("账号 ID"), null=True, blank=True, db_index=True)
    actor_username = models.CharField(_("账号"), max_length=150, blank=True, db_index=True)
    actor_name = models.CharField(_("姓名"), max_length=50, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    action = models.CharField(_("操作"), max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=100, blank=True)
    object_id = models.CharField(_("对象 ID"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=255, blank=True)
    result = models.CharField(_("结果"), max_length=16, choices=Result.choices, default=Result.SUCCESS)
    unit_path = models.CharField(_("单位"), max_length=500, blank=True, db_index=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(action__in=Action.values), name="auditentry_action_valid"),
            models.CheckConstraint(condition=models.Q(result__in=Result.values), name="auditentry_result_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("audit entries are removed only by the archive command")
