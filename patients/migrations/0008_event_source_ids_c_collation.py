"""On PostgreSQL an event's source system and source id compare byte by byte ("C" collation):
they are a feed's identifiers, not words, and the unique index that keeps a feed sent twice
from being stored twice is then maintained with plain byte comparisons instead of the
database's linguistic collation, which matters when a feed of a million rows is inserted."""

from django.db import migrations

COLUMNS = (("source_system", 32), ("source_id", 64))


def to_c_collation(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, length in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE patients_activityevent ALTER COLUMN {column} TYPE varchar({length}) COLLATE "C"'
        )


def to_default_collation(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for column, length in COLUMNS:
        schema_editor.execute(
            f'ALTER TABLE patients_activityevent ALTER COLUMN {column} TYPE varchar({length}) COLLATE "default"'
        )


class Migration(migrations.Migration):
    dependencies = [("patients", "0007_event_references_checked_per_statement")]

    operations = [migrations.RunPython(to_c_collation, to_default_collation)]
