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
