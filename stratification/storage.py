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
