"""三员分立: no account holds two of 系统管理员 / 安全管理员 / 审计管理员 — refused by the service, by any
group change (admin forms included), and reported by a system check; each role's permissions."""

import pytest
from django.contrib.auth.models import Group
from django.core.checks import run_checks
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from accounts import roles, services
from accounts.checks import separated_administrator_duties
from accounts.factories import staff

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "pair",
    [
        (roles.ADMINISTRATOR, roles.SECURITY_ADMINISTRATOR),
        (roles.ADMINISTRATOR, roles.AUDIT_ADMINISTRATOR),
        (roles.SECURITY_ADMINISTRATOR, roles.AUDIT_ADMINISTRATOR),
    ],
)
def test_service_refuses_two_administrator_roles(pair):
    user = staff(pair[0])
    with pytest.raises(ValidationError) as exc:
        services.user_set_roles(user=user, role_names=list(pair))
    assert exc.value.code == "separation_of_duties"
    assert list(user.groups.values_list("name", flat=True)) == [pair[0]]


def test_any_group_change_is_refused_too():
    user = staff(roles.AUDIT_ADMINISTRATOR)
    # (m2m add runs in the caller's transaction: the refusal fails that transaction, as it should)
    with pytest.raises(ValidationError), transaction.atomic():
        user.groups.add(Group.objects.get(name=roles.ADMINISTRATOR))
    with pytest.raises(ValidationError), transaction.atomic():
        Group.objects.get(name=roles.SECURITY_ADMINISTRATOR).user_set.add(user)
    assert list(user.groups.values_list("name", flat=True)) == [roles.AUDIT_ADMINISTRATOR]
    services.user_set_roles(user=user, role_names=[roles.AUDIT_ADMINISTRATOR, roles.EDITOR])


def test_system_check_reports_an_account_holding_two():
    user = staff(roles.ADMINISTRATOR)
    assert separated_administrator_duties(databases=["default"]) == []
    # Written around the guard, as an old database or raw SQL could have it.
    through = user.groups.through
    through.objects.bulk_create([through(user=user, group=Group.objects.get(name=roles.AUDIT_ADMINISTRATOR))])
    errors = separated_administrator_duties(databases=["default"])
    assert [e.id for e in errors] == ["accounts.E001"] and user.username in errors[0].msg
    assert "accounts.E001" in [e.id for e in run_checks(databases=["default"])]


def test_admin_user_form_refuses_two_roles(client):
    boss = staff(roles.SECURITY_ADMINISTRATOR)
    target = staff(roles.EDITOR)
    client.force_login(boss)
    url = reverse("wagtailusers_users:edit", args=[target.pk])
    groups = Group.objects.filter(name__in=[roles.ADMINISTRATOR, roles.AUDIT_ADMINISTRATOR])
    data = {
        "username": target.username,
        "name": target.name,
        "email": "",
        "password1": "",
        "password2": "",
        "is_active": "on",
        "groups": [g.pk for g in groups],
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "三员分立" in response.content.decode()
    assert list(target.groups.values_list("name", flat=True)) == [roles.EDITOR]


def test_role_permissions_follow_the_separation():
    system, security, auditor = (staff(r) for r in roles.SEPARATED_ADMINISTRATORS)
    assert auditor.has_perm("audit.view_auditentry")
    assert not system.has_perm("audit.view_auditentry") and not security.has_perm("audit.view_auditentry")
    assert security.has_perm("accounts.reset_cadre_password") and security.has_perm("accounts.change_user")
    assert not auditor.has_perm("accounts.change_user") and not auditor.has_perm("wagtailcore.change_site")
    assert not security.has_perm("accounts.change_trainingtargets")
    for user in (system, security, auditor):
        assert not user.is_superuser


def test_system_administrator_holds_settings_and_site_structure_only():
    """Least privilege: no account, role, scope, personal-data or audit permission for the 系统管理员."""
    system = staff(roles.ADMINISTRATOR)
    perms = system.get_all_permissions()
    account_perms = {p for p in perms if p.startswith(("accounts.", "auth.", "otp_", "audit."))}
    assert account_perms == {"accounts.change_trainingtargets"}  # a setting (学时 targets), not an account
    assert {"wagtailcore.change_site", "learning.change_attentionrules"} <= perms
    assert not system.has_perm("accounts.import_roster") and not system.has_perm("accounts.view_personal_data")


def test_roles_ensure_sets_the_exact_permissions_and_is_not_audited():
    """A permission granted to a role group by hand (or dropped from the code) is taken away by the next
    roles_ensure (run after every migrate); outside a request this is not a person's change: no entry."""
    from django.contrib.auth.models import Permission

    from audit.models import Action, AuditEntry

    group = Group.objects.get(name=roles.ADMINISTRATOR)
    extra = Permission.objects.get(codename="change_user")
    group.permissions.add(extra)
    removed = Permission.objects.get(codename="change_site")
    group.permissions.remove(removed)
    services.roles_ensure()
    codenames = set(group.permissions.values_list("codename", flat=True))
    assert "change_user" not in codenames and "change_site" in codenames
    expected = {d.split(".", 1)[1] for d in services.role_permissions()[roles.ADMINISTRATOR]}
    assert codenames == expected
    # Permissions other apps declare (hook register_role_permissions) are part of the exact set.
    assert "view_question" in codenames and "add_synonym" in codenames
    assert not AuditEntry.objects.filter(action=Action.PERMISSION_CHANGE, object_type="auth.group").exists()
