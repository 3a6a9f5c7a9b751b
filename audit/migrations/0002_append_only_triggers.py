"""UPDATE and DELETE on audit_auditentry refused by the database itself (see audit/db.py for the design)."""

from django.db import migrations

from audit.db import install_triggers, remove_triggers


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_audit_entry")]

    # Executes vendor-specific SQL (PostgreSQL: a plpgsql trigger function; SQLite: RAISE triggers).
    operations = [migrations.RunPython(install_triggers, remove_triggers)]
