"""Activity events' references to their patient and provider are checked once per statement,
set-based, instead of by a foreign-key trigger per row (ADR 0010).

A foreign key checks each inserted row with its own lookup and row lock: a feed of a million
events spent longer in those checks at commit than in the insert. Here an AFTER ... FOR EACH
STATEMENT trigger sees the statement's rows as a transition table, locks the distinct patients
and providers they name FOR KEY SHARE (as a foreign key would, so a concurrent delete waits) and
refuses the statement if any is missing. Deleting a patient or organisation that events still
name is refused the same way. On SQLite (the embedded development default) row triggers refuse
an event naming a missing patient or provider; deletes are left to the ORM's CASCADE and
PROTECT there, because Django empties SQLite tables between tests with plain DELETEs in
alphabetical order, which a delete trigger would refuse.
"""

from django.db import migrations, models

POSTGRES_CREATE = """
CREATE OR REPLACE FUNCTION patients_activityevent_references_exist() RETURNS trigger AS $$
DECLARE
    wanted bigint;
    found bigint;
BEGIN
    SELECT count(DISTINCT patient_id) INTO wanted FROM new_events;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM patients_patient p
        WHERE p.id IN (SELECT DISTINCT patient_id FROM new_events)
        FOR KEY SHARE OF p
    ) AS locked;
    IF found <> wanted THEN
        RAISE EXCEPTION 'an activity event refers to a patient that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'patients_activityevent', COLUMN = 'patient_id';
    END IF;
    SELECT count(DISTINCT provider_id) INTO wanted FROM new_events;
    SELECT count(*) INTO found FROM (
        SELECT 1 FROM caremodel_organisation o
        WHERE o.id IN (SELECT DISTINCT provider_id FROM new_events)
        FOR KEY SHARE OF o
    ) AS locked;
    IF found <> wanted THEN
        RAISE EXCEPTION 'an activity event refers to a provider that does not exist'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'patients_activityevent', COLUMN = 'provider_id';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER patients_activityevent_inserted_references
    AFTER INSERT ON patients_activityevent REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION patients_activityevent_references_exist();
CREATE TRIGGER patients_activityevent_updated_references
    AFTER UPDATE ON patients_activityevent REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION patients_activityevent_references_exist();

CREATE OR REPLACE FUNCTION patients_patient_events_gone_first() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM patients_activityevent e WHERE e.patient_id IN (SELECT id FROM gone)) THEN
        RAISE EXCEPTION 'a deleted patient still has activity events'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'patients_activityevent', COLUMN = 'patient_id';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER patients_patient_events_gone_first
    AFTER DELETE ON patients_patient REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION patients_patient_events_gone_first();

CREATE OR REPLACE FUNCTION caremodel_organisation_events_gone_first() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM patients_activityevent e WHERE e.provider_id IN (SELECT id FROM gone)) THEN
        RAISE EXCEPTION 'a deleted organisation is still the provider of activity events'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'patients_activityevent', COLUMN = 'provider_id';
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER caremodel_organisation_events_gone_first
    AFTER DELETE ON caremodel_organisation REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION caremodel_organisation_events_gone_first();
"""

POSTGRES_DROP = """
DROP TRIGGER IF EXISTS patients_activityevent_inserted_references ON patients_activityevent;
DROP TRIGGER IF EXISTS patients_activityevent_updated_references ON patients_activityevent;
DROP FUNCTION IF EXISTS patients_activityevent_references_exist();
DROP TRIGGER IF EXISTS patients_patient_events_gone_first ON patients_patient;
DROP FUNCTION IF EXISTS patients_patient_events_gone_first();
DROP TRIGGER IF EXISTS caremodel_organisation_events_gone_first ON caremodel_organisation;
DROP FUNCTION IF EXISTS caremodel_organisation_events_gone_first();
"""

SQLITE_CREATE = [
    """CREATE TRIGGER patients_activityevent_inserted_patient BEFORE INSERT ON patients_activityevent
    WHEN NOT EXISTS (SELECT 1 FROM patients_patient WHERE id = NEW.patient_id)
    BEGIN SELECT RAISE(ABORT, 'an activity event refers to a patient that does not exist'); END""",
    """CREATE TRIGGER patients_activityevent_updated_patient BEFORE UPDATE OF patient_id ON patients_activityevent
    WHEN NOT EXISTS (SELECT 1 FROM patients_patient WHERE id = NEW.patient_id)
    BEGIN SELECT RAISE(ABORT, 'an activity event refers to a patient that does not exist'); END""",
    """CREATE TRIGGER patients_activityevent_inserted_provider BEFORE INSERT ON patients_activityevent
    WHEN NEW.provider_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM caremodel_organisation WHERE id = NEW.provider_id)
    BEGIN SELECT RAISE(ABORT, 'an activity event refers to a provider that does not exist'); END""",
    """CREATE TRIGGER patients_activityevent_updated_provider BEFORE UPDATE OF provider_id ON patients_activityevent
    WHEN NEW.provider_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM caremodel_organisation WHERE id = NEW.provider_id)
    BEGIN SELECT RAISE(ABORT, 'an activity event refers to a provider that does not exist'); END""",
]
SQLITE_TRIGGERS = (
    "patients_activityevent_inserted_patient",
    "patients_activityevent_updated_patient",
    "patients_activityevent_inserted_provider",
    "patients_activityevent_updated_provider",
)


def create_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        for statement in SQLITE_CREATE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):  # type: ignore[no-untyped-def]
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("caremodel", "0003_registers_carers_events"),
        ("patients", "0006_event_patient_index_covered_by_patient_date"),
    ]

    operations = [
        migrations.AlterField(
            model_name="activityevent",
            name="patient",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="events",
                to="patients.patient",
            ),
        ),
        migrations.AlterField(
            model_name="activityevent",
            name="provider",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                db_index=False,
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="caremodel.organisation",
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
