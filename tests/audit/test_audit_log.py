"""The audit log: one writer, entries for sign-in events, append-only in the application and in the
database (UPDATE/DELETE refused by triggers on SQLite and PostgreSQL), archive of old entries."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts import factories
from accounts.factories import TEST_PASSWORD
from audit import db
from audit.models import Action, AppendOnly, AuditEntry, Result
from audit.services import audit_archive, audit_record

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _entry(**kwargs) -> AuditEntry:
    return audit_record(action=Action.SETTINGS_CHANGE, actor_username="tester", object_repr="x", **kwargs)


def test_sign_in_success_failure_lockout_and_sign_out_are_recorded(client):
    user = factories.cadre(unit="某省/某市/某局")
    client.post(LOGIN, {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.9.8.7")
    failure = AuditEntry.objects.get(action=Action.LOGIN_FAILURE)
    assert (failure.actor_username, failure.ip_address, failure.result) == (user.username, "10.9.8.7", Result.FAILURE)

    client.post(LOGIN, {"username": user.username, "password": TEST_PASSWORD}, REMOTE_ADDR="10.9.8.7")
    success = AuditEntry.objects.get(action=Action.LOGIN_SUCCESS)
    assert success.actor_id == user.pk and success.unit_path == "某省/某市/某局"
    client.post(reverse("accounts:logout"), REMOTE_ADDR="10.9.8.7")
    assert AuditEntry.objects.filter(action=Action.LOGOUT, actor_id=user.pk).exists()


@override_settings(AXES_FAILURE_LIMIT=2)
def test_lockout_is_recorded_and_the_message_states_its_duration(client):
    user = factories.cadre()
    for _ in range(3):
        response = client.post(LOGIN, {"username": user.username, "password": "wrong"}, REMOTE_ADDR="10.1.1.2")
    assert response.status_code == 429
    assert "15 分钟" in response.content.decode()
    assert AuditEntry.objects.filter(action=Action.LOCKOUT, actor_username=user.username).exists()


def test_role_and_scope_changes_are_recorded():
    from accounts import roles, services

    user = factories.staff(roles.EDITOR)
    services.user_set_roles(user=user, role_names=[roles.TRAINER])
    entries = AuditEntry.objects.filter(action=Action.ROLE_CHANGE, object_id=str(user.pk))
    assert entries.exists() and entries.first().detail["now"] == [roles.TRAINER]
    from accounts.models import TrainerScope

    scope = TrainerScope.objects.create(user=user, org_unit=factories.org_unit("某省/乙市"))
    scope.delete()
    changes = list(AuditEntry.objects.filter(action=Action.SCOPE_CHANGE).values_list("detail__change", flat=True))
    assert sorted(changes) == ["add", "remove"]


def test_entries_cannot_be_changed_or_deleted_through_the_application():
    entry = _entry()
    entry.object_repr = "changed"
    with pytest.raises(AppendOnly):
        entry.save()
    with pytest.raises(AppendOnly):
        entry.delete()
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="changed")
    with pytest.raises(AppendOnly):
        AuditEntry.objects.filter(pk=entry.pk).delete()


def test_raw_update_and_delete_fail_in_the_database():
    """Run on SQLite and on PostgreSQL (DATABASE_URL=postgres://…): the trigger refuses both."""
    entry = _entry()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET object_repr = 'forged' WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("TRUNCATE audit_auditentry")
    # Even inside the archive permit an UPDATE is refused.
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        db.archive_permit(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditentry SET object_repr = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "x"


def test_the_permit_is_the_only_way_to_delete_and_ends_with_its_block():
    entry = _entry()
    with transaction.atomic(), db.archive_permit(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert not AuditEntry.objects.filter(pk=entry.pk).exists()
    second = _entry()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [second.pk])


def test_archive_writes_old_entries_to_a_file_and_removes_only_them(tmp_path):
    now = timezone.now()
    old = [_entry(detail={"n": n}) for n in range(3)]
    recent = _entry()
    # Entries are append-only: give the old ones their age at creation time.
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(created_at=now - timedelta(days=200 + n), action=Action.LOGIN_SUCCESS, actor_username=f"old{n}")
            for n in range(3)
        ]
    )
    count, path = audit_archive(directory=tmp_path, now=now)
    assert count == 3
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(line["actor_username"] for line in lines) == ["old0", "old1", "old2"]
    remaining = set(AuditEntry.objects.values_list("pk", flat=True))
    assert {e.pk for e in [*old, recent]} <= remaining
    assert not AuditEntry.objects.filter(actor_username__startswith="old").exists()
    archived = AuditEntry.objects.get(action=Action.AUDIT_ARCHIVE)
    assert archived.detail["count"] == 3
    # Afterwards deletes are refused again.
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")


def test_archive_command_with_nothing_old(tmp_path, capsys):
    _entry()
    call_command("audit_archive", dir=str(tmp_path))
    assert "没有需要归档" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []


# serialized_rollback, like every transactional test here: its closing flush then skips post_migrate, which
# would recreate the role groups under new keys before the next test reloads the serialized ones.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_flush_between_transactional_tests_may_empty_the_log():
    """tests/conftest.py lets `flush` through the triggers; without it this test's teardown fails."""
    _entry()
    with pytest.raises(DatabaseError), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")


def test_default_retention_keeps_at_least_six_months():
    """等保 2.0 asks for six months of audit records; the longest six calendar months have 184 days."""
    from config.settings import base

    assert base.AUDIT_RETENTION_DAYS >= 184
