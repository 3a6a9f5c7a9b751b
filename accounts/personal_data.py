"""Masking of personal data (phone numbers, e-mail addresses) in trainer screens and exports.

Shown in full only to holders of accounts.view_personal_data; granting that permission (to a user or a
group) is recorded in the audit log (audit.signals).
"""


def can_see_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm("accounts.view_personal_data"))


def mask_phone(value: str) -> str:
    """13812341234 → 138****1234; short numbers keep only their last two digits."""
    value = value or ""
    if len(value) >= 7:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


def mask_email(value: str) -> str:
    """zhangsan@example.org → zh***@example.org (a local part of two characters or fewer keeps one)."""
    value = value or ""
    if "@" not in value:
        return mask_phone(value)
    local, domain = value.split("@", 1)
    return f"{local[: 2 if len(local) > 2 else 1]}***@{domain}"
