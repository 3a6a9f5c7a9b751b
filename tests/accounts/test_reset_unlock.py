"""A trainer resets a cadre's password (one-time password, forced change) and unlocks a locked cadre,
only in scope; every reset and unlock is audited."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.urls import reverse

from accounts import roles, services
from accounts.factories import TEST_PASSWORD, cadre, staff, trainer
from accounts.selectors import account_locked, can_manage_cadre_account
from audit.models import Action, AuditEntry

pytestmark = pytest.mark.django_db

UNIT = "某省/甲市/东山县/财政局"
LOGIN = reverse("accounts:login")


def test_one_time_passwords_pass_the_policy_and_differ():
    passwords = {services.one_time_password() for _ in range(20)}
    assert len(passwords) == 20
    for password in passwords:
        validate_password(password)


def test_scope_rule():
    mine, other = cadre(unit=UNIT), cadre(unit="某省/乙市/教育局")
    boss = trainer("某省/甲市")
    assert can_manage_cadre_account(boss, mine)
    assert not can_manage_cadre_account(boss, other)
    assert not can_manage_cadre_account(boss, boss)
    assert not can_manage_cadre_account(staff(roles.EDITOR), mine)
    # A cadre who is also an editor is staff: a trainer must not take over that account.
    services.user_set_roles(user=mine, role_names=[roles.CADRE, roles.EDITOR])
    assert not can_manage_cadre_account(boss, mine)
    assert can_manage_cadre_account(staff(roles.SECURITY_ADMINISTRATOR), other)


def test_reset_shows_a_one_time_password_once_and_forces_a_change(client):
    target = cadre(unit=UNIT)
    boss = trainer("某省/甲市")
    client.force_login(boss)
    page = client.get(reverse("accounts:cadre_account", args=[target.pk]))
    assert page.status_code == 200 and "重置密码" in page.content.decode()

    response = client.post(reverse("accounts:cadre_password_reset", args=[target.pk]), REMOTE_ADDR="10.0.0.9")
    html = response.content.decode()
    assert response.status_code == 200 and "密码重置通知单" in html
    assert "no-store" in response["Cache-Control"]
    password = re.search(r'data-testid="one-time-password">([^<]+)<', html).group(1)
    target.refresh_from_db()
    assert target.check_password(password) and target.must_change_password
    assert not target.check_password(TEST_PASSWORD)
    entry = AuditEntry.objects.get(action=Action.PASSWORD_RESET)
    assert (entry.actor_id, entry.object_id, entry.unit_path, entry.ip_address) == (
        boss.pk,
        str(target.pk),
        UNIT,
        "10.0.0.9",
    )
    # The account page never shows it again.
    assert password not in client.get(reverse("accounts:cadre_account", args=[target.pk])).content.decode()

    cadre_client = client.__class__()
    cadre_client.post(LOGIN, {"username": target.username, "password": password})
    assert cadre_client.get("/learning/").url.startswith(reverse("accounts:password_change"))


def test_reset_and_unlock_refused_outside_scope(client):
    target = cadre(unit="某省/乙市/教育局")
    client.force_login(trainer("某省/甲市"))
    for name in ("cadre_password_reset", "cadre_unlock"):
        assert client.post(reverse(f"accounts:{name}", args=[target.pk])).status_code == 404
    assert client.get(reverse("accounts:cadre_account", args=[target.pk])).status_code == 404
    target.refresh_from_db()
    assert target.check_password(TEST_PASSWORD) and not target.must_change_password
    client.force_login(staff(roles.EDITOR))
    assert client.post(reverse("accounts:cadre_password_reset", args=[target.pk])).status_code == 403
    with pytest.raises(PermissionDenied):
        services.password_reset_for_cadre(by=trainer("某省/甲市"), user=target)
    assert not AuditEntry.objects.filter(action=Action.PASSWORD_RESET).exists()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_trainer_unlocks_a_locked_cadre(client):
    target = cadre(unit=UNIT)
    for _ in range(2):
        client.post(LOGIN, {"username": target.username, "password": "wrong"}, REMOTE_ADDR="10.5.5.5")
    assert account_locked(target)
    locked = client.post(LOGIN, {"username": target.username, "password": TEST_PASSWORD}, REMOTE_ADDR="10.5.5.5")
    assert locked.status_code == 429

    boss_client = client.__class__()
    boss = trainer("某省/甲市")
    boss_client.force_login(boss)
    assert "解除锁定" in boss_client.get(reverse("accounts:cadre_account", args=[target.pk])).content.decode()
    response = boss_client.post(reverse("accounts:cadre_unlock", args=[target.pk]), follow=True)
    assert "已解除" in response.content.decode()
    assert not account_locked(target)
    assert AuditEntry.objects.filter(action=Action.ACCOUNT_UNLOCK, actor_id=boss.pk).exists()
    ok = client.post(LOGIN, {"username": target.username, "password": TEST_PASSWORD}, REMOTE_ADDR="10.5.5.5")
    assert ok.status_code == 302
