"""On PostgreSQL the database itself refuses UPDATE and DELETE of audit rows, so not even
raw SQL from the application can rewrite the trail. (TRUNCATE, used only by test
teardown and by the owning DBA, is not a row operation.)"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION caremodel_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER caremodel_auditevent_append_only
    BEFORE UPDATE OR DELETE ON caremodel_auditevent
    FOR EACH ROW EXECUTE FUNCTION caremodel_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS caremodel_auditevent_append_only ON caremodel_auditevent;
DROP FUNCTION IF EXISTS caremodel_audit_append_only();
"""


def create_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_trigger(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("caremodel", "0001_initial")]
    operations = [migrations.RunPython(create_trigger, drop_trigger)]
