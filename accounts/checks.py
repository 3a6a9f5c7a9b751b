"""System checks for separated administrator duties (三员分立)."""

from django.core import checks


@checks.register(checks.Tags.security, checks.Tags.database)
def separated_administrator_duties(app_configs=None, databases=None, **kwargs):
    """No account may hold two of 系统管理员 / 安全管理员 / 审计管理员 (run with `check --database default`)."""
    if not databases or "default" not in databases:
        return []
    from django.db import DatabaseError

    from accounts.selectors import accounts_holding_several_administrator_roles

    try:
        offenders = list(accounts_holding_several_administrator_roles())
    except DatabaseError:
        return []  # not migrated yet
    return [
        checks.Error(
            f"账号 {username} 同时担任 {'、'.join(names)}，违反三员分立。",
            hint="在“用户”中为该账号只保留一个管理员角色。",
            id="accounts.E001",
        )
        for username, names in offenders
    ]
