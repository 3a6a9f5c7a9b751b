"""The password policy (GB/T 22239 level 3) as Django password validators, and the maximum age.

Listed in AUTH_PASSWORD_VALIDATORS, so Django's own forms (password change, the admin's user forms)
and our services (roster import, trainer reset) all apply the same rules.
"""

import re
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

CHARACTER_CLASSES = (
    (re.compile(r"[a-z]"), "小写字母"),
    (re.compile(r"[A-Z]"), "大写字母"),
    (re.compile(r"[0-9]"), "数字"),
    (re.compile(r"[^a-zA-Z0-9]"), "特殊字符"),
)


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        present = sum(1 for pattern, _label in CHARACTER_CLASSES if pattern.search(password))
        if present < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、特殊字符中的至少 %(n)d 类。") % {"n": self.min_classes}


class NotIdentityValidator:
    """The password must not contain the username, the 工号 or the name (case-insensitive)."""

    def validate(self, password, user=None):
        if user is None:
            return
        lowered = password.lower()
        candidates = [getattr(user, "username", ""), getattr(user, "name", "")]
        profile = getattr(user, "cadre_profile", None) if getattr(user, "pk", None) else None
        if profile is not None:
            candidates.append(profile.employee_no)
        for value in candidates:
            value = (value or "").strip().lower()
            if len(value) >= 2 and value in lowered:
                raise ValidationError(_("密码不能包含用户名、工号或姓名。"), code="password_contains_identity")

    def get_help_text(self):
        return _("密码不能包含用户名、工号或姓名。")


class PasswordHistoryValidator:
    """Not the current password nor one of the last `count`; records each new password's hash."""

    def __init__(self, count: int = 5):
        self.count = count

    def _recent_hashes(self, user) -> list[str]:
        from accounts.models import PasswordHistory

        return list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[: self.count])

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        hashes = self._recent_hashes(user)
        if user.has_usable_password() and user.password not in hashes:
            hashes.append(user.password)
        # check_password with setter=None never rewrites a stored hash.
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(
                _("新密码不能与最近 %(n)d 次使用过的密码相同。") % {"n": self.count}, code="password_reused"
            )

    def get_help_text(self):
        return _("新密码不能与最近 %(n)d 次使用过的密码相同。") % {"n": self.count}

    def password_changed(self, password, user=None):
        """Called by Django after a user with a new password is saved."""
        from accounts.models import PasswordHistory

        if user is None or not user.pk or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.count :]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()


def password_expired(user) -> bool:
    """True when PASSWORD_MAX_AGE_DAYS is set and the user's password is older than that."""
    days = getattr(settings, "PASSWORD_MAX_AGE_DAYS", 0)
    if not days or user.password_changed_at is None:
        return False
    return user.password_changed_at < timezone.now() - timedelta(days=days)


def password_change_required(user) -> str | None:
    """Why this signed-in user must change the password before anything else, or None."""
    if not user or not user.is_authenticated:
        return None
    if getattr(user, "must_change_password", False):
        return "must_change_password"
    if password_expired(user):
        return "password_expired"
    return None
