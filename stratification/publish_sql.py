"""Publication on PostgreSQL: rank the run's staging table into its partition and attach it.

The chunks have already done everything per patient (scores, factors, the previous run's band
and category), so the finaliser writes each row once: one sort of the staging table by score,
one INSERT into a new table shaped like the parent, its key and rank index built after it is
filled, and an ATTACH in the caller's transaction, which also flips the published pointer.
"""

from django.db import connection
from psycopg import sql

from stratification.scoring_sql import PREVIOUS_BANDS, PREVIOUS_CATEGORIES
from stratification.storage import PARENT, partition_name, staging_name


def _decode(column: str, values: tuple[str, ...]) -> sql.Composable:
    """A code of scoring_sql's previous-run columns back to its text ('' for none)."""
    return sql.SQL("({}::text[])[{} + 1]").format(sql.Literal(["", *values]), sql.SQL(column))


def insert_statement(*, run_id: int, features: tuple[str, ...], cutoffs: tuple[int, int, int]) -> sql.Composed:
    names = sql.Literal(list(features))
    return sql.SQL(
        """
        INSERT INTO {table}
        SELECT {run}, s.patient_id, NULLIF(s.practice_id, 0), s.age, s.score, s.rank,
               CASE WHEN s.rank <= {c1} THEN 'very_high' WHEN s.rank <= {c2} THEN 'high'
                    WHEN s.rank <= {c3} THEN 'moderate' ELSE 'low' END,
               s.efi_deficits / 36.0::float8, s.efi_deficits,
               CASE WHEN 25 * s.efi_deficits <= 108 THEN 'fit' WHEN 25 * s.efi_deficits <= 216 THEN 'mild'
                    WHEN 25 * s.efi_deficits <= 324 THEN 'moderate' ELSE 'severe' END,
               s.emergency_admissions_12m, s.ae_attendances_12m, s.falls_12m, s.ltc_count, s.ltc_mask, s.care_home,
               concat_ws(',', ({names}::text[])[s.factor_1 + 1], ({names}::text[])[s.factor_2 + 1],
                         ({names}::text[])[s.factor_3 + 1]),
               {previous_band}, {previous_category}
        FROM (SELECT *, row_number() OVER (ORDER BY score DESC, patient_id)::int AS rank FROM {stage}) s
        """
    ).format(
        table=sql.Identifier(partition_name(run_id)),
        stage=sql.Identifier(staging_name(run_id)),
        run=sql.Literal(int(run_id)),
        c1=sql.Literal(cutoffs[0]),
        c2=sql.Literal(cutoffs[1]),
        c3=sql.Literal(cutoffs[2]),
        names=names,
        previous_band=_decode("s.previous_band", PREVIOUS_BANDS),
        previous_category=_decode("s.previous_efi_category", PREVIOUS_CATEGORIES),
    )


def publish_partition(*, run_id: int, features: tuple[str, ...], cutoffs: tuple[int, int, int]) -> int:
    """Rank the staging table into a new table shaped like the parent and attach it as the run's
    partition. The caller's transaction also flips the published pointer, so both commit together."""
    table, stage = partition_name(run_id), staging_name(run_id)
    with connection.cursor() as cursor:
        raw = cursor.cursor
        raw.execute("SET LOCAL jit = off")
        # One sort of the whole run and two index builds: give them memory rather than disk.
        raw.execute("SET LOCAL work_mem = '256MB'")
        raw.execute("SET LOCAL maintenance_work_mem = '256MB'")
        # The partition's CHECK is declared with the table, so each row is checked as it goes in
        # and neither adding it nor the ATTACH needs another pass over a filled table.
        raw.execute(
            sql.SQL(
                "CREATE TABLE {} (LIKE {} INCLUDING DEFAULTS INCLUDING CONSTRAINTS, CONSTRAINT {} CHECK (run_id = {}))"
            ).format(
                sql.Identifier(table), sql.Identifier(PARENT), sql.Identifier(f"{table}_run"), sql.Literal(int(run_id))
            )
        )
        raw.execute(insert_statement(run_id=run_id, features=features, cutoffs=cutoffs))
        count = raw.rowcount
        # Keys and indexes after the rows: one sorted build each instead of a million insertions.
        raw.execute(sql.SQL("ALTER TABLE {} ADD PRIMARY KEY (run_id, patient_id)").format(sql.Identifier(table)))
        raw.execute(sql.SQL("CREATE INDEX ON {} (run_id, rank)").format(sql.Identifier(table)))
        raw.execute(
            sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(
                sql.Identifier(PARENT), sql.Identifier(table), sql.Literal(int(run_id))
            )
        )
        raw.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(stage)))
        # Statistics now, so readers' plans are sound from the first page.
        raw.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(table)))
    return count
