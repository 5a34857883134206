"""The PostgreSQL path of the activity import: each validated block is COPYed into a temporary
table as it is checked, then one set-based INSERT ... SELECT ... ON CONFLICT DO NOTHING applies
the whole file.

Concurrent imports of the same file cannot duplicate an event: the unique
(source_system, source_id) index makes the second insert wait for the first and skip.
The patients whose record gained an event are audited in the same statement.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connection

from caremodel.models import AuditAction, AuditEvent, AuditOutcome, User
from caremodel.request_context import current_context
from patients.models import ActivityEvent

if TYPE_CHECKING:
    from patients.imports.activity_columns import EventColumns

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escaped(value: str) -> str:
    """COPY text format: only free-text fields can hold a backslash, tab or newline."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_ESCAPES)
    return value


def _texts(column: Iterable[object]) -> Iterable[str]:
    """Each distinct value written once: a column of a block holds few distinct values."""
    values = list(column)
    text = {
        value: NULL if value is None else ("t" if value else "f") if isinstance(value, bool) else str(value)
        for value in set(values)
    }
    return map(text.__getitem__, values)


def copy_text(block: "EventColumns") -> str:
    """The block in COPY text format. Every field but the source ids was validated to a closed
    set, a date or a number, so needs no escaping."""
    rows = zip(
        map(str, block.patient_ids),
        block.kinds,
        _texts(block.dates),
        _texts(block.provider_ids),
        map(_escaped, block.source_systems),
        map(_escaped, block.source_ids),
        _texts(block.stays),
        block.destinations,
        _texts(block.fractures),
        strict=True,
    )
    return "".join(line + "\n" for line in map("\t".join, rows))


class PostgresEventStage:
    """A temporary table the blocks are COPYed into, applied in one statement at the end."""

    def __init__(self, *, user: User | None) -> None:
        self.user = user
        with connection.cursor() as cursor:
            cursor.execute(
                """CREATE TEMPORARY TABLE activity_staging (
                    patient_id bigint, kind text, event_date date, provider_id bigint, source_system text,
                    source_id text, length_of_stay integer, discharge_destination text, with_fracture boolean
                ) ON COMMIT DROP"""
            )

    def write(self, block: "EventColumns") -> None:
        if not len(block):
            return
        with connection.cursor() as cursor, cursor.copy("COPY activity_staging FROM STDIN") as copy:
            copy.write(copy_text(block))

    def apply(self) -> int:
        """Insert the staged rows not already stored, audit the patients touched; returns how many were added."""
        user = self.user
        authenticated = user is not None and user.is_authenticated
        context = current_context()
        events, audit = ActivityEvent._meta.db_table, AuditEvent._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                WITH added AS (
                    INSERT INTO {events} (patient_id, kind, event_date, provider_id, source_system, source_id,
                        length_of_stay_days, discharge_destination, with_fracture, recorded_at)
                    SELECT patient_id, kind, event_date, provider_id, source_system, source_id,
                        length_of_stay, discharge_destination, with_fracture, now()
                    FROM activity_staging
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
