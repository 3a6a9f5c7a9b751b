"""Authorisation matrix for what exists: site, login, API, and the people/org admin.

Each row is one URL with the expected outcome for all eight roles (see tests/security/authz.py).
Add rows as features land; swap `{cadre_…}`/`{other_…}` ids to prove object-level checks.
"""

import pytest

from tests.security.authz import (
    DENIED,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    Row,
    build_world,
    check_row,
    expect,
)

# Roles that may not enter the Wagtail admin are sent to its login page.
NO_ADMIN = {"anonymous": LOGIN, "cadre": LOGIN, "cadre_other_unit": LOGIN}
# 三员分立 (issue 19): the 系统管理员 ("administrator") holds settings and site structure only; accounts,
# org units, cadre records, roster imports and scopes belong to the 安全管理员; the 审计管理员 none of it.
SYSTEM_ONLY = expect(FORBIDDEN, **NO_ADMIN, administrator=OK)
SECURITY_ONLY = expect(FORBIDDEN, **NO_ADMIN, security_administrator=OK)
# Object pages: refused either way (403, or 404 when the object is outside what the role may see).
OBJECT_SECURITY_ONLY = expect(DENIED, **NO_ADMIN, security_administrator=OK)
TRAINERS_AND_SECURITY = expect(
    FORBIDDEN, **NO_ADMIN, trainer_in_scope=OK, trainer_out_of_scope=OK, security_administrator=OK
)
# Cadre lists: each trainer sees their own subtree's people and nobody else's; the 安全管理员 everyone.
CADRE_LIST_CONTENT = {
    "absent": {
        "trainer_in_scope": ("{other_employee_no}",),
        "trainer_out_of_scope": ("{cadre_employee_no}",),
    },
    "present": {
        "trainer_in_scope": ("{cadre_employee_no}",),
        "trainer_out_of_scope": ("{other_employee_no}",),
        "security_administrator": ("{cadre_employee_no}", "{other_employee_no}"),
    },
}

ROWS = [
    # Public site
    Row("GET", "/", expect(OK)),
    Row("GET", "/accounts/login/", expect(REDIRECT, anonymous=OK)),
    Row("GET", "/no-such-page/", expect(NOT_FOUND)),
    # API
    Row(
        "GET",
        "/api/v1/me",
        expect(OK, anonymous=LOGIN),
        present={"cadre": ("{cadre_employee_no}",), "cadre_other_unit": ("{other_employee_no}",)},
        absent={"cadre": ("{other_employee_no}",), "cadre_other_unit": ("{cadre_employee_no}",)},
    ),
    # Wagtail admin entry
    Row("GET", "/admin/", expect(OK, **NO_ADMIN)),
    # Roster import: trainers (into their own subtrees, tested in tests/accounts) and the 安全管理员
    Row("GET", "/admin/roster/import/", TRAINERS_AND_SECURITY),
    # Cadre profiles
    Row("GET", "/admin/cadres/", TRAINERS_AND_SECURITY, **CADRE_LIST_CONTENT),
    Row("GET", "/admin/cadres/?q=AUTHZ", TRAINERS_AND_SECURITY, **CADRE_LIST_CONTENT),
    Row("GET", "/admin/cadres/results/", TRAINERS_AND_SECURITY, **CADRE_LIST_CONTENT),
    Row("GET", "/admin/cadres/?export=csv", TRAINERS_AND_SECURITY, **CADRE_LIST_CONTENT),
    Row("GET", "/admin/cadres/edit/{cadre_profile}/", OBJECT_SECURITY_ONLY),
    Row("GET", "/admin/cadres/edit/{other_profile}/", OBJECT_SECURITY_ONLY),
    Row("POST", "/admin/cadres/edit/{cadre_profile}/", OBJECT_SECURITY_ONLY, data={"position": "改"}),
    Row("GET", "/admin/cadres/delete/{other_profile}/", OBJECT_SECURITY_ONLY),
    Row("GET", "/admin/cadres/edit/999999/", expect(DENIED, **NO_ADMIN)),
    Row("GET", "/admin/cadres/new/", SECURITY_ONLY),
    Row(
        "GET",
        "/admin/cadres/inspect/{cadre_profile}/",
        expect(DENIED, **NO_ADMIN, trainer_in_scope=OK, security_administrator=OK),
    ),
    Row(
        "GET",
        "/admin/cadres/inspect/{other_profile}/",
        expect(DENIED, **NO_ADMIN, trainer_out_of_scope=OK, security_administrator=OK),
    ),
    # Org units: trainers may look, only the 安全管理员 changes
    Row("GET", "/admin/orgunits/", TRAINERS_AND_SECURITY),
    Row("GET", "/admin/orgunits/edit/{cadre_unit}/", OBJECT_SECURITY_ONLY),
    Row("GET", "/admin/orgunits/delete/{other_unit}/", OBJECT_SECURITY_ONLY),
    Row("GET", "/admin/orgunits/new/", SECURITY_ONLY),
    # Trainer scopes: a trainer must not widen their own scope
    Row("GET", "/admin/trainer_scopes/", SECURITY_ONLY),
    Row("GET", "/admin/trainer_scopes/edit/{trainer_scope}/", SECURITY_ONLY),
    Row("GET", "/admin/trainer_scopes/new/", SECURITY_ONLY),
    # Users and roles
    Row("GET", "/admin/users/", SECURITY_ONLY),
    Row("GET", "/admin/users/edit/{cadre_user}/", SECURITY_ONLY),
    Row("GET", "/admin/users/edit/{other_user}/", SECURITY_ONLY),
    Row("GET", "/admin/users/new/", SECURITY_ONLY),
    Row("GET", "/admin/users/delete/{cadre_user}/", SECURITY_ONLY),
    Row("GET", "/admin/groups/", SECURITY_ONLY),
    # Settings and site structure: the 系统管理员
    Row("GET", "/admin/settings/accounts/trainingtargets/{training_targets}/", SYSTEM_ONLY),
    Row("GET", "/admin/settings/learning/attentionrules/{site}/", SYSTEM_ONLY),
    Row("GET", "/admin/sites/", SYSTEM_ONLY),
    Row("GET", "/admin/workflows/list/", SYSTEM_ONLY),
]


def matrix_world():
    from wagtail.models import Site

    world = build_world()
    world.values["site"] = Site.objects.get(is_default_site=True).pk
    return world


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[r.id for r in ROWS])
def test_authorisation_matrix(row):
    check_row(row, matrix_world())


@pytest.mark.django_db
def test_trainer_cannot_edit_cadre_outside_scope_even_with_change_permission():
    """Defence in depth: a trainer given change rights still cannot open an out-of-scope cadre."""
    from django.contrib.auth.models import Permission
    from django.test import Client

    world = build_world()
    trainer = world.users["trainer_out_of_scope"]
    trainer.user_permissions.add(Permission.objects.get(codename="change_cadreprofile"))
    client = Client()
    client.force_login(trainer)
    assert DENIED.matches(client.get(world.fill("/admin/cadres/edit/{cadre_profile}/")))
    assert OK.matches(client.get(world.fill("/admin/cadres/edit/{other_profile}/")))
