"""The PostgreSQL path of the activity import: COPY into a temporary table, then one
set-based INSERT ... SELECT joined to patients by NHS number, ON CONFLICT DO NOTHING.

Concurrent imports of the same file cannot duplicate an event: the unique
(source_system, source_id) index makes the second insert wait for the first and skip.
The patients whose record gained an event are audited in the same statement.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection

from caremodel.models import AuditAction, AuditEvent, AuditOutcome, User
from caremodel.request_context import current_context
from patients.models import ActivityEvent, Patient

if TYPE_CHECKING:
    from patients.imports.activity import EventRow

COPY_CHUNK = 20_000
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escaped(value: str) -> str:
    """COPY text format: only free-text fields can hold a backslash, tab or newline."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _lines(rows: Iterable["EventRow"]) -> Iterable[str]:
    """Every other field was validated to a closed set, a date or a number, so needs no escaping."""
    for row in rows:
        provider = "\\N" if row.provider_id is None else str(row.provider_id)
        stay = "\\N" if row.length_of_stay is None else str(row.length_of_stay)
        fracture = "\\N" if row.with_fracture is None else ("t" if row.with_fracture else "f")
        yield (
            f"{row.nhs_number}\t{row.kind}\t{row.event_date.isoformat()}\t{provider}\t{_escaped(row.source_system)}\t"
            f"{_escaped(row.source_id)}\t{stay}\t{row.discharge_destination}\t{fracture}\n"
        )


def copy_activity_rows(*, rows: list["EventRow"], user: User | None) -> int:
    """Insert the rows not already stored and audit the patients touched; returns how many were added."""
    if not rows:
        return 0
    events, patients, audit = ActivityEvent._meta.db_table, Patient._meta.db_table, AuditEvent._meta.db_table
    context = current_context()
    authenticated = user is not None and user.is_authenticated
    with connection.cursor() as cursor:
        cursor.execute(
            """CREATE TEMPORARY TABLE activity_staging (
                nhs_number text, kind text, event_date date, provider_id bigint, source_system text,
                source_id text, length_of_stay integer, discharge_destination text, with_fracture boolean
            ) ON COMMIT DROP"""
        )
        with cursor.copy("COPY activity_staging FROM STDIN") as copy:
            buffer: list[str] = []
            for line in _lines(rows):
                buffer.append(line)
                if len(buffer) >= COPY_CHUNK:
                    copy.write("".join(buffer))
                    buffer.clear()
            if buffer:
                copy.write("".join(buffer))
        cursor.execute(
            f"""
            WITH added AS (
                INSERT INTO {events} (patient_id, kind, event_date, provider_id, source_system, source_id,
                    length_of_stay_days, discharge_destination, with_fracture, recorded_at)
                SELECT p.id, s.kind, s.event_date, s.provider_id, s.source_system, s.source_id,
                    s.length_of_stay, s.discharge_destination, s.with_fracture, now()
                FROM activity_staging s JOIN {patients} p ON p.nhs_number = s.nhs_number
                ON CONFLICT DO NOTHING
                RETURNING patient_id
            ), audited AS (
                INSERT INTO {audit} (occurred_at, user_id, username, role, organisation_id, patient_id, action,
                    outcome, relationship, resource, source, client_ip, detail)
                SELECT now(), %s, %s, %s, %s, patient_id, %s, %s, '', 'activity_event', %s, %s, '{{}}'::jsonb
                FROM (SELECT DISTINCT patient_id FROM added) AS touched
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM audited)
            """,  # noqa: S608 - table names are the models' own; values are parameters
            [
                user.pk if authenticated else None,  # type: ignore[union-attr]
                user.username if authenticated else "",  # type: ignore[union-attr]
                user.role if authenticated else "",  # type: ignore[union-attr]
                user.organisation_id if authenticated else None,  # type: ignore[union-attr]
                AuditAction.IMPORT.value,
                AuditOutcome.ALLOWED.value,
                context.source,
                context.client_ip,
            ],
        )
        added, _ = cursor.fetchone()
        # Dropped now, not only at commit: an enclosing transaction may run another import.
        cursor.execute("DROP TABLE activity_staging")
    return int(added)
