"""Authorisation matrix rows for the account pages of issue 19: password change, trainer resets and
unlocks, the audit log, second factors."""

import pytest

from accounts.models import User
from tests.security.authz import FORBIDDEN, LOGIN, NOT_FOUND, OK, REDIRECT, Row, build_world, check_row, expect

SIGNED_IN = expect(OK, anonymous=LOGIN)
# A cadre's account (reset, unlock): the trainer whose scope holds the cadre; the other trainer gets
# 404 (not revealed); roles without accounts.reset_cadre_password 403.
# 安全管理员 manage every cadre account.
IN_A = expect(
    FORBIDDEN, anonymous=LOGIN, trainer_in_scope=OK, trainer_out_of_scope=NOT_FOUND, security_administrator=OK
)
IN_B = expect(
    FORBIDDEN, anonymous=LOGIN, trainer_in_scope=NOT_FOUND, trainer_out_of_scope=OK, security_administrator=OK
)
AUDITOR = expect(FORBIDDEN, anonymous=LOGIN, audit_administrator=OK)

ROWS = [
    # Everyone signed in changes their own password (and nobody else's: the form has no user field).
    Row("GET", "/accounts/password_change/", SIGNED_IN),
    Row("GET", "/accounts/password_change/done/", SIGNED_IN),
    Row("GET", "/accounts/cadres/{cadre_user}/", IN_A, present={"trainer_in_scope": ("{cadre_name}",)}),
    Row("GET", "/accounts/cadres/{other_user}/", IN_B),
    Row(
        "POST",
        "/accounts/cadres/{cadre_user}/reset-password/",
        IN_A,
        present={"trainer_in_scope": ("一次性密码",)},
        probe="passwords",
        changes=frozenset({"trainer_in_scope", "security_administrator"}),
    ),
    Row(
        "POST",
        "/accounts/cadres/{other_user}/reset-password/",
        IN_B,
        probe="passwords",
        changes=frozenset({"trainer_out_of_scope", "security_administrator"}),
    ),
    Row(
        "POST",
        "/accounts/cadres/{cadre_user}/unlock/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=REDIRECT,
            trainer_out_of_scope=NOT_FOUND,
            security_administrator=REDIRECT,
        ),
    ),
    Row(
        "POST",
        "/accounts/cadres/{other_user}/unlock/",
        expect(
            FORBIDDEN,
            anonymous=LOGIN,
            trainer_in_scope=NOT_FOUND,
            trainer_out_of_scope=REDIRECT,
            security_administrator=REDIRECT,
        ),
    ),
    # The audit log: 审计管理员 only (the 系统管理员 and 安全管理员 included: 三员分立).
    Row("GET", "/audit/", AUDITOR, present={"audit_administrator": ("审计日志",)}),
    Row("GET", "/audit/?action=login_success&unit=某省", AUDITOR),
    Row("GET", "/audit/export.xlsx", AUDITOR),
]


def accounts_world():
    world = build_world()
    ids = [world.values["cadre_user"], world.values["other_user"]]
    world.probes["passwords"] = lambda: list(User.objects.filter(pk__in=ids).order_by("pk").values_list("password"))
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[f"{r.id} {r.data or ''}".rstrip() for r in ROWS])
def test_accounts_authorisation_matrix(row):
    check_row(row, accounts_world())
