"""Database-level protection of the audit table: triggers refuse UPDATE and DELETE (and TRUNCATE).

The single way rows leave the table is `archive_permit()`, used by the archive service (and by the
test runner's flush between transactional tests):

- PostgreSQL: the trigger function lets a DELETE/TRUNCATE through only when the setting
  ``mingjian.audit_archive`` is ``on`` in the current session/transaction (``set_config``). Any
  UPDATE raises.
- SQLite has no session variables: the DELETE trigger asks the application-defined SQL function
  ``mingjian_audit_archive()``, which Django registers on each of its connections and which
  answers 1 only inside ``archive_permit()``. Any other connection (the sqlite3 shell, another
  program) has no such function, so its DELETE fails with "no such function"; UPDATE always aborts.

This stops the application and casual SQL. It does not stop the database owner, who can drop a
trigger: in production grant the application role INSERT and SELECT only on audit_auditentry
and run the archive as a separate role (docs/accounts-security.md).
"""

import contextvars
from contextlib import contextmanager

from django.db import DatabaseError, connections
from django.db.backends.signals import connection_created

TABLE = "audit_auditentry"
SETTING = "mingjian.audit_archive"
_archiving = contextvars.ContextVar("audit_archiving", default=False)

POSTGRES_INSTALL = [
    f"""
    CREATE OR REPLACE FUNCTION audit_entry_protect() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('DELETE', 'TRUNCATE') AND coalesce(current_setting('{SETTING}', true), '') = 'on' THEN
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NULL;
        END IF;
        RAISE EXCEPTION 'audit log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
    END
    $$;
    """,
    f"CREATE TRIGGER audit_entry_protect_rows BEFORE UPDATE OR DELETE ON {TABLE} "
    "FOR EACH ROW EXECUTE FUNCTION audit_entry_protect();",
    f"CREATE TRIGGER audit_entry_protect_truncate BEFORE TRUNCATE ON {TABLE} "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_protect();",
]
POSTGRES_REMOVE = [
    f"DROP TRIGGER IF EXISTS audit_entry_protect_rows ON {TABLE};",
    f"DROP TRIGGER IF EXISTS audit_entry_protect_truncate ON {TABLE};",
    "DROP FUNCTION IF EXISTS audit_entry_protect();",
]
SQLITE_INSTALL = [
    f"CREATE TRIGGER audit_entry_no_update BEFORE UPDATE ON {TABLE} "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: UPDATE refused'); END;",
    f"CREATE TRIGGER audit_entry_no_delete BEFORE DELETE ON {TABLE} WHEN mingjian_audit_archive() IS NOT 1 "
    "BEGIN SELECT RAISE(ABORT, 'audit log is append-only: DELETE refused'); END;",
]
SQLITE_REMOVE = [
    "DROP TRIGGER IF EXISTS audit_entry_no_update;",
    "DROP TRIGGER IF EXISTS audit_entry_no_delete;",
]


def install_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES_INSTALL, "sqlite": SQLITE_INSTALL}.get(vendor, []):
        schema_editor.execute(sql, params=None)


def remove_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES_REMOVE, "sqlite": SQLITE_REMOVE}.get(vendor, []):
        schema_editor.execute(sql, params=None)


def _register_sqlite_function(sender, connection, **kwargs):
    if connection.vendor != "sqlite":
        return
    wrapper = connection
    connection.connection.create_function(
        "mingjian_audit_archive", 0, lambda: 1 if getattr(wrapper, "_mingjian_audit_archive", False) else 0
    )


def connect():
    connection_created.connect(_register_sqlite_function, dispatch_uid="audit_sqlite_function")


def archiving() -> bool:
    return _archiving.get()


@contextmanager
def archive_permit(using: str = "default"):
    """Let rows of the audit table be deleted inside this block, on this connection only."""
    connection = connections[using]
    connection.ensure_connection()
    token = _archiving.set(True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'on', false)", [SETTING])
    connection._mingjian_audit_archive = True
    try:
        yield
    except BaseException:
        _end_permit(connection, failed=True)
        raise
    else:
        _end_permit(connection, failed=False)
    finally:
        _archiving.reset(token)


def _end_permit(connection, *, failed: bool) -> None:
    connection._mingjian_audit_archive = False
    if connection.vendor != "postgresql" or connection.connection is None:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config(%s, 'off', false)", [SETTING])
    except DatabaseError:
        # A failed transaction refuses every statement; its rollback undoes set_config as well.
        if not failed:
            raise
