"""On PostgreSQL the folded name keys use the "C" collation: byte order, as SQLite's default,
so both databases sort and page the same, and a prefix LIKE becomes an index range scan on
the ordered name indexes (no linguistic collation in the way)."""

from django.db import migrations

COLUMNS = ("search_family", "search_given")


def to_c_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE patients_patient ALTER COLUMN {column} TYPE varchar(100) COLLATE "C"')


def to_default_collation(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in COLUMNS:
        schema_editor.execute(f'ALTER TABLE patients_patient ALTER COLUMN {column} TYPE varchar(100) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_search_keys_intake")]

    operations = [migrations.RunPython(to_c_collation, to_default_collation)]
