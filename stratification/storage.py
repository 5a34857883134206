"""Run-keyed score storage: one partition per run on PostgreSQL, rows keyed on run elsewhere.

PostgreSQL: `stratification_riskscore` is partitioned by LIST (run_id). A run's scores are
built in a standalone table and attached as a partition in the publishing transaction
(ATTACH PARTITION takes only a SHARE UPDATE EXCLUSIVE lock, so readers are not blocked);
an old run is dropped with DROP TABLE, which costs the same for 10 rows or 10 million.
SQLite: the same table unpartitioned; a run is removed with DELETE.
"""

from django.db import connection, transaction

PARENT = "stratification_riskscore"


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def partition_name(run_id: int) -> str:
    return f"{PARENT}_r{int(run_id)}"


def staging_name(run_id: int) -> str:
    return f"stratification_riskstage_r{int(run_id)}"


def create_partition(*, run_id: int) -> None:
    """An empty partition for a run that is written row by row (the Python path on PostgreSQL)."""
    if not is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {partition_name(run_id)} PARTITION OF {PARENT} FOR VALUES IN ({int(run_id)})"
        )


def drop_run_scores(*, run_id: int) -> None:
    """Remove a run's scores (and any staging left by a failed run)."""
    with connection.cursor() as cursor:
        if is_postgresql():
            with transaction.atomic():
                # A bounded wait: if readers hold the parent, try again on the next prune.
                cursor.execute("SET LOCAL lock_timeout = '5s'")
                cursor.execute(f"DROP TABLE IF EXISTS {partition_name(run_id)}")
                cursor.execute(f"DROP TABLE IF EXISTS {staging_name(run_id)}")
        else:
            cursor.execute(f"DELETE FROM {PARENT} WHERE run_id = %s", [int(run_id)])  # noqa: S608 - constant table name


def drop_staging(*, run_id: int) -> None:
    if is_postgresql():
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {staging_name(run_id)}")


PARTITION_SQL = f"""
DROP TABLE {PARENT};
CREATE TABLE {PARENT} (
    run_id bigint NOT NULL,
    patient_id bigint NOT NULL,
    practice_id bigint NULL,
    age smallint NOT NULL,
    score double precision NOT NULL,
    rank integer NOT NULL,
    band varchar(16) NOT NULL,
    efi_score double precision NOT NULL,
    efi_deficits smallint NOT NULL,
    efi_category varchar(16) NOT NULL,
    emergency_admissions_12m smallint NOT NULL,
    ae_attendances_12m smallint NOT NULL,
    falls_12m smallint NOT NULL,
    ltc_count smallint NOT NULL,
    ltc_mask integer NOT NULL,
    care_home boolean NOT NULL,
    factors varchar(200) NOT NULL,
    previous_band varchar(16) NOT NULL,
    previous_efi_category varchar(16) NOT NULL,
    PRIMARY KEY (run_id, patient_id)
) PARTITION BY LIST (run_id);
CREATE INDEX riskscore_run_rank ON {PARENT} (run_id, rank);
"""


def make_scores_table_partitioned(apps: object, schema_editor: object) -> None:
    """Migration step: on PostgreSQL replace the plain table Django created with a partitioned one."""
    if schema_editor.connection.vendor != "postgresql":  # type: ignore[attr-defined]
        return
    for statement in filter(None, (s.strip() for s in PARTITION_SQL.split(";"))):
        schema_editor.execute(statement)  # type: ignore[attr-defined]
