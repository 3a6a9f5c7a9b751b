"""The five roles of the platform, kept as Django groups.

Group names are the Chinese role names users see in the admin; code refers to them
through these constants only.
"""

from django.db.models import IntegerChoices
from django.utils.translation import gettext_lazy as _

CADRE = "学员"
EDITOR = "编辑"
REVIEWER = "审核"
TRAINER = "培训管理员"
ADMINISTRATOR = "系统管理员"
# Separated administrator duties (三员分立, GB/T 22239 level 3): 系统管理员 runs settings and the site
# structure, 安全管理员 accounts, roles, scopes, resets and unlocks, 审计管理员 reads the audit log.
# No account may hold two of the three (accounts.services.user_set_roles, accounts.checks).
SECURITY_ADMINISTRATOR = "安全管理员"
AUDIT_ADMINISTRATOR = "审计管理员"
SEPARATED_ADMINISTRATORS = (ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDIT_ADMINISTRATOR)

ALL_ROLES = (CADRE, EDITOR, REVIEWER, TRAINER, ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDIT_ADMINISTRATOR)

# Roles that may enter the Wagtail admin.
ADMIN_ROLES = (EDITOR, REVIEWER, TRAINER, ADMINISTRATOR, SECURITY_ADMINISTRATOR, AUDIT_ADMINISTRATOR)
# Roles that must use a second factor at every sign-in.
STAFF_ROLES = ADMIN_ROLES


class Rank(IntegerChoices):
    """职级, ordered so that a larger value is a higher rank ("县处级 and above" is rank >= COUNTY)."""

    OTHER = 10, _("其他")
    TOWNSHIP = 20, _("乡科级")
    COUNTY = 30, _("县处级")
    BUREAU = 40, _("厅局级")
    PROVINCIAL = 50, _("省部级")

    @classmethod
    def from_label(cls, text: str) -> "Rank | None":
        text = (text or "").strip()
        for member in cls:
            if str(member.label) == text or member.name.lower() == text.lower():
                return member
        return None
