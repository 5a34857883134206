"""On PostgreSQL the audit table refuses TRUNCATE too. The row trigger of 0002 never fires
for TRUNCATE, which empties a table without visiting its rows; a statement-level trigger does,
for every role, the table's owner included. What remains to the owner (disabling the trigger,
dropping the table) is kept from the application by not letting it connect as the owner
(docs/adr/0012)."""

from django.db import migrations

CREATE = """
CREATE TRIGGER caremodel_auditevent_no_truncate
    BEFORE TRUNCATE ON caremodel_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION caremodel_audit_append_only();
"""
DROP = "DROP TRIGGER IF EXISTS caremodel_auditevent_no_truncate ON caremodel_auditevent;"


def create_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("caremodel", "0005_accounts_start_without_a_role")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
