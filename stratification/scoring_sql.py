"""The PostgreSQL hot path: set-based SQL per chunk, binary COPY both ways, numpy scoring.

Per chunk: one aggregate query reduces the chunk's patients, conditions and events to one
fixed-width row of facts per patient (with the patient's band and frailty category in the
previous published run, read by a range of that run's primary key), streamed out with binary
COPY and read straight into a numpy record array (no Python object per row); the model
scores the whole chunk as one matrix product; the scores go back with binary COPY into the
run's UNLOGGED staging table. Everything per patient is done here, spread over the workers;
the finaliser (publish_sql.py) only ranks, bands and writes the run's partition once.
"""

from datetime import date, timedelta

import numpy as np
from django.db import connection
from psycopg import sql

from stratification.efi import EFI_DEFICITS, extra_deficit_mask
from stratification.features import COUNT_CAP, LTC_ORDER, NO_DISCHARGE
from stratification.models import Band, FrailtyCategory
from stratification.scoring import LoadedModel
from stratification.storage import PARENT, staging_name

_SIGNATURE = b"PGCOPY\n\xff\r\n\x00"
_HEADER = _SIGNATURE + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
_TRAILER = b"\xff\xff"

# (column, numpy big-endian type) of the facts query, in order; every value is NOT NULL.
_FACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("patient_id", ">i8"),
    ("practice_id", ">i8"),
    ("age", ">i4"),
    ("male", ">i4"),
    ("housebound", ">i4"),
    ("lives_alone", ">i4"),
    ("deficit_mask", ">i8"),
    ("ltc_mask", ">i4"),
    ("emergency_admissions_12m", ">i4"),
    ("ae_attendances_12m", ">i4"),
    ("falls_12m", ">i4"),
    ("fall_ever", ">i4"),
    ("fracture_ever", ">i4"),
    ("care_home", ">i4"),
    ("days_since_discharge", ">i4"),
    ("previous_band", ">i4"),
    ("previous_efi_category", ">i4"),
)
# The previous run's band and frailty category travel as small codes: 0 for none, else the
# 1-based position in these tuples (publish_sql.py turns them back into text).
PREVIOUS_BANDS: tuple[str, ...] = tuple(Band.values)
PREVIOUS_CATEGORIES: tuple[str, ...] = tuple(FrailtyCategory.values)
_STAGE_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("patient_id", ">i8", "bigint"),
    ("practice_id", ">i8", "bigint"),
    ("age", ">i2", "smallint"),
    ("score", ">f8", "double precision"),
    ("efi_deficits", ">i2", "smallint"),
    ("emergency_admissions_12m", ">i2", "smallint"),
    ("ae_attendances_12m", ">i2", "smallint"),
    ("falls_12m", ">i2", "smallint"),
    ("ltc_count", ">i2", "smallint"),
    ("ltc_mask", ">i4", "integer"),
    ("care_home", "?", "boolean"),
    ("factor_1", ">i2", "smallint"),
    ("factor_2", ">i2", "smallint"),
    ("factor_3", ">i2", "smallint"),
    ("previous_band", ">i2", "smallint"),
    ("previous_efi_category", ">i2", "smallint"),
)


def _row_dtype(columns: tuple[tuple[str, str], ...]) -> np.dtype:
    fields: list[tuple[str, str]] = [("field_count", ">i2")]
    for name, kind in columns:
        fields += [(f"{name}__len", ">i4"), (name, kind)]
    return np.dtype(fields)


_FACT_DTYPE = _row_dtype(_FACT_COLUMNS)
_STAGE_DTYPE = _row_dtype(tuple((name, kind) for name, kind, _ in _STAGE_COLUMNS))


def _bit_case(column: str, values: tuple[str, ...], cast: str) -> sql.Composable:
    whens = sql.SQL(" ").join(
        sql.SQL("WHEN {} THEN {}").format(sql.Literal(value), sql.SQL(f"{1 << i}::{cast}"))
        for i, value in enumerate(values)
    )
    return sql.SQL("bit_or(CASE {} {} ELSE 0::{} END)").format(sql.SQL(column), whens, sql.SQL(cast))


def facts_query(*, as_of: date, first_id: int, last_id: int) -> sql.Composed:
    """One row of facts per eligible patient in [first_id, last_id]; mirrors scoring_python.facts_for_range."""
    return sql.SQL(
        """
        SELECT p.id, COALESCE(p.registered_practice_id, 0),
               date_part('year', age({as_of}, p.date_of_birth))::int,
               (p.sex = 'male')::int, p.housebound::int, COALESCE(p.lives_alone, false)::int,
               COALESCE(c.deficit_mask, 0), COALESCE(c.ltc_mask, 0),
               COALESCE(e.emergency_admissions, 0), COALESCE(e.ae_attendances, 0), COALESCE(e.falls, 0),
               COALESCE(e.fall_ever, false)::int, COALESCE(e.fracture_ever, false)::int,
               EXISTS (SELECT 1 FROM patients_carehomeresidence h
                       WHERE h.patient_id = p.id AND h.since <= {as_of}
                         AND (h.until IS NULL OR h.until > {as_of}))::int,
               COALESCE({as_of} - e.last_discharge, {no_discharge})
        FROM patients_patient p
        LEFT JOIN (
            SELECT pc.patient_id, {deficits} AS deficit_mask, {ltcs} AS ltc_mask
            FROM patients_patientcondition pc JOIN patients_clinicalcode cc ON cc.id = pc.code_id
            WHERE pc.patient_id BETWEEN {first} AND {last}
              AND (pc.onset_date IS NULL OR pc.onset_date <= {as_of})
              AND (pc.resolved_date IS NULL OR pc.resolved_date > {as_of})
            GROUP BY pc.patient_id
        ) c ON c.patient_id = p.id
        LEFT JOIN (
            SELECT patient_id,
                   count(*) FILTER (WHERE kind = 'emergency_admission' AND event_date > {year_ago})::int
                       AS emergency_admissions,
                   count(*) FILTER (WHERE kind = 'ae_attendance' AND event_date > {year_ago})::int AS ae_attendances,
                   count(*) FILTER (WHERE kind = 'fall' AND event_date > {year_ago})::int AS falls,
                   bool_or(kind = 'fall') AS fall_ever,
                   bool_or(kind = 'hip_fracture' OR (kind = 'fall' AND with_fracture IS TRUE)) AS fracture_ever,
                   max(event_date) FILTER (WHERE kind = 'discharge') AS last_discharge
            FROM patients_activityevent
            WHERE patient_id BETWEEN {first} AND {last} AND event_date <= {as_of}
            GROUP BY patient_id
        ) e ON e.patient_id = p.id
        WHERE p.id BETWEEN {first} AND {last}
          AND p.date_of_birth <= {as_of} AND (p.date_of_death IS NULL OR p.date_of_death > {as_of})
        """
    ).format(
        as_of=sql.Literal(as_of),
        year_ago=sql.Literal(as_of - timedelta(days=365)),
        first=sql.Literal(int(first_id)),
        last=sql.Literal(int(last_id)),
        no_discharge=sql.Literal(NO_DISCHARGE),
        deficits=_bit_case("cc.frailty_deficit", EFI_DEFICITS, "bigint"),
        ltcs=_bit_case("cc.long_term_condition", LTC_ORDER, "int"),
    )


_FACT_NAMES = sql.SQL(", ").join(sql.Identifier(name) for name, _ in _FACT_COLUMNS[:-2])


def _code(column: str, values: tuple[str, ...]) -> sql.Composable:
    whens = sql.SQL(" ").join(
        sql.SQL("WHEN {} THEN {}").format(sql.Literal(value), sql.Literal(i)) for i, value in enumerate(values, 1)
    )
    return sql.SQL("CASE {} {} ELSE 0 END").format(sql.SQL(column), whens)


def chunk_query(*, as_of: date, first_id: int, last_id: int, previous_run_id: int | None) -> sql.Composed:
    """The facts with the previous run's band and category codes; the previous run is read by a
    range of its primary key (run_id, patient_id), merged with the facts in patient order."""
    facts = facts_query(as_of=as_of, first_id=first_id, last_id=last_id)
    if not previous_run_id:
        return sql.SQL("SELECT f.*, 0, 0 FROM ({}) AS f({})").format(facts, _FACT_NAMES)
    return sql.SQL(
        """
        SELECT f.*, {band}, {category}
        FROM ({facts}) AS f({names})
        LEFT JOIN {parent} prev ON prev.run_id = {previous} AND prev.patient_id = f.patient_id
                                AND prev.patient_id BETWEEN {first} AND {last}
        """
    ).format(
        facts=facts,
        names=_FACT_NAMES,
        parent=sql.Identifier(PARENT),
        previous=sql.Literal(int(previous_run_id)),
        first=sql.Literal(int(first_id)),
        last=sql.Literal(int(last_id)),
        band=_code("prev.band", PREVIOUS_BANDS),
        category=_code("prev.efi_category", PREVIOUS_CATEGORIES),
    )


def read_facts(*, as_of: date, first_id: int, last_id: int, previous_run_id: int | None = None) -> np.ndarray:
    """The chunk's facts as a numpy record array, via binary COPY out."""
    statement = sql.SQL("COPY ({}) TO STDOUT (FORMAT BINARY)").format(
        chunk_query(as_of=as_of, first_id=first_id, last_id=last_id, previous_run_id=previous_run_id)
    )
    buffer = bytearray()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for block in copy:
            buffer += block
    body = bytes(buffer[len(_HEADER) : -len(_TRAILER)])
    return np.frombuffer(body, dtype=_FACT_DTYPE)


def _extra_bit(**flag: bool) -> int:
    return extra_deficit_mask(
        **{
            name: flag.get(name, False)
            for name in ("housebound", "fall_ever", "fracture_ever", "lives_alone", "care_home")
        }
    )


def feature_matrix(facts: np.ndarray, features: tuple[str, ...]) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The model's inputs for every row at once, as features.feature_vector builds them one by one."""
    efi_mask = facts["deficit_mask"].astype(np.uint64)
    for flag in ("housebound", "fall_ever", "fracture_ever", "lives_alone", "care_home"):
        efi_mask |= np.where(facts[flag] != 0, np.uint64(_extra_bit(**{flag: True})), np.uint64(0))
    deficits = np.bitwise_count(efi_mask).astype(np.int16)
    ltc_mask = facts["ltc_mask"].astype(np.uint32)
    ltc_count = np.bitwise_count(ltc_mask).astype(np.int16)
    # The exact cut-offs of efi.efi_category_for_deficits: 25 * deficits <= 108 / 216 / 324.
    scaled = 25 * deficits.astype(np.int32)
    category = np.select([scaled <= 108, scaled <= 216, scaled <= 324], [0, 1, 2], default=3)
    age = facts["age"]
    days = facts["days_since_discharge"]
    columns: dict[str, np.ndarray] = {
        "age_65_74": (age >= 65) & (age <= 74),
        "age_75_84": (age >= 75) & (age <= 84),
        "age_85_plus": age >= 85,
        "male": facts["male"] != 0,
        "emergency_admissions_12m": np.minimum(facts["emergency_admissions_12m"], COUNT_CAP),
        "ae_attendances_12m": np.minimum(facts["ae_attendances_12m"], COUNT_CAP),
        "falls_12m": np.minimum(facts["falls_12m"], COUNT_CAP),
        "ltc_count": ltc_count,
        "efi_mild": category == 1,
        "efi_moderate": category == 2,
        "efi_severe": category == 3,
        "care_home": facts["care_home"] != 0,
        "lives_alone": facts["lives_alone"] != 0,
        "discharge_30d": days <= 30,
        "discharge_90d": days <= 90,
    }
    for i, condition in enumerate(LTC_ORDER):
        columns[f"ltc_{condition}"] = (ltc_mask >> np.uint32(i)) & np.uint32(1) == 1
    matrix = (
        np.column_stack([columns[name].astype(np.float64) for name in features])
        if len(facts)
        else np.zeros((0, len(features)))
    )
    return matrix, {"efi_deficits": deficits, "ltc_count": ltc_count}


def create_staging(*, run_id: int) -> None:
    columns = ", ".join(f"{name} {pg_type} NOT NULL" for name, _, pg_type in _STAGE_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE UNLOGGED TABLE IF NOT EXISTS {staging_name(run_id)} ({columns})")


def score_chunk(
    *,
    run_id: int,
    model: LoadedModel,
    as_of: date,
    first_id: int,
    last_id: int,
    previous_run_id: int | None,
    replace: bool = True,
) -> int:
    """Score one chunk into staging; a redelivered chunk (`replace`) deletes its earlier rows
    first, so it leaves the same rows. The caller owns the transaction."""
    with connection.cursor() as cursor:
        # The facts query is cheap per chunk but its many expressions tempt the planner into JIT
        # compilation, which costs more than the query itself.
        cursor.execute("SET LOCAL jit = off")
    facts = read_facts(as_of=as_of, first_id=first_id, last_id=last_id, previous_run_id=previous_run_id)
    matrix, derived = feature_matrix(facts, model.features)
    rows = np.zeros(len(facts), dtype=_STAGE_DTYPE)
    rows["field_count"] = len(_STAGE_COLUMNS)
    for name, kind, _ in _STAGE_COLUMNS:
        rows[f"{name}__len"] = np.dtype(kind).itemsize
    small = np.iinfo(np.int16).max
    rows["patient_id"] = facts["patient_id"]
    rows["practice_id"] = facts["practice_id"]
    rows["age"] = facts["age"]
    rows["score"] = model.score_matrix(matrix)
    rows["efi_deficits"] = derived["efi_deficits"]
    for name in ("emergency_admissions_12m", "ae_attendances_12m", "falls_12m"):
        rows[name] = np.minimum(facts[name], small)
    rows["ltc_count"] = derived["ltc_count"]
    rows["ltc_mask"] = facts["ltc_mask"]
    rows["care_home"] = facts["care_home"] != 0
    factors = model.top_factor_indexes(matrix)
    for k in range(3):
        rows[f"factor_{k + 1}"] = factors[:, k] if factors.shape[1] > k else -1
    rows["previous_band"] = facts["previous_band"]
    rows["previous_efi_category"] = facts["previous_efi_category"]
    with connection.cursor() as cursor:
        if replace:
            cursor.execute(
                f"DELETE FROM {staging_name(run_id)} WHERE patient_id BETWEEN %s AND %s",  # noqa: S608 - name from an int
                [first_id, last_id],
            )
        columns = ", ".join(name for name, _, _ in _STAGE_COLUMNS)
        with cursor.cursor.copy(f"COPY {staging_name(run_id)} ({columns}) FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(_HEADER + rows.tobytes() + _TRAILER)
    return len(rows)
