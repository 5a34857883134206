"""The PostgreSQL path of the activity import: blocks are staged while the next is validated.

Each validated block is COPYed into a temporary table by one writer thread, on the request's
own connection and inside its transaction, while the calling thread validates the next block:
the database works on one core while Python works on the other. Once the whole file is staged,
the rows are checked against the patients in SQL (the NHS number registered here, the event
not before the birth) and those not already stored are inserted set-based in one statement
(inserting in parts while validation went on measured no faster). Nothing is visible to anyone
else until the transaction commits; in strict mode nothing is inserted if any row was refused.

Concurrent imports of one feed take turns under an advisory lock, so neither stores an event
the other stored; the unique (source_system, source_id) index is the last word. The patients
whose record gained an event are audited once each, at the end.
"""

from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from types import TracebackType
from typing import TYPE_CHECKING, Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections
from psycopg import errors

from caremodel.models import AuditAction, AuditEvent, AuditOutcome, User
from caremodel.request_context import current_context
from patients.imports.report import ImportReport
from patients.models import ActivityEvent, Patient
from patients.rules.events import DATE_BEFORE_BIRTH

if TYPE_CHECKING:
    from patients.imports.activity_columns import EventColumns

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
EVENTS, PATIENTS, AUDIT = ActivityEvent._meta.db_table, Patient._meta.db_table, AuditEvent._meta.db_table

STAGING = """CREATE TEMPORARY TABLE activity_staging (
    line integer, nhs_number text, kind text, event_date date, provider_id bigint, source_system text,
    source_id text, length_of_stay integer, discharge_destination text, with_fracture boolean
) ON COMMIT DROP"""
TOUCHED = "CREATE TEMPORARY TABLE activity_touched (patient_id bigint) ON COMMIT DROP"
UNFIT = f"""
    SELECT s.line, s.nhs_number, p.id IS NULL
    FROM activity_staging s LEFT JOIN {PATIENTS} p ON p.nhs_number = s.nhs_number
    WHERE p.id IS NULL OR s.event_date < p.date_of_birth
"""  # noqa: S608 - table names are the models' own
_INSERT = """
    WITH added AS (
        INSERT INTO {events} (patient_id, kind, event_date, provider_id, source_system, source_id,
            length_of_stay_days, discharge_destination, with_fracture, recorded_at)
        SELECT p.id, s.kind, s.event_date, s.provider_id, s.source_system, s.source_id,
            s.length_of_stay, s.discharge_destination, s.with_fracture, now()
        FROM activity_staging s JOIN {patients} p ON p.nhs_number = s.nhs_number AND p.date_of_birth <= s.event_date
        {new_only}
        RETURNING patient_id
    ), touched AS (
        INSERT INTO activity_touched SELECT DISTINCT patient_id FROM added RETURNING 1
    )
    SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM touched)
"""
# Rows already stored are left out by an anti-join on the unique index: a plain insert of what is
# left costs about a quarter less than ON CONFLICT's speculative insertion (measured, 1M rows),
# and imports of the same feed are serialised by an advisory lock so the anti-join sees the
# other's rows. Should another writer still have stored one of the rows meanwhile, the insert
# is redone with ON CONFLICT DO NOTHING.
INSERT_NEW = _INSERT.format(
    events=EVENTS,
    patients=PATIENTS,
    new_only=f"""WHERE NOT EXISTS (
            SELECT 1 FROM {EVENTS} e WHERE e.source_system = s.source_system AND e.source_id = s.source_id
        )""",  # noqa: S608 - the table name is the model's own
)
INSERT_SKIPPING_CONFLICTS = _INSERT.format(events=EVENTS, patients=PATIENTS, new_only="ON CONFLICT DO NOTHING")
FEED_LOCK = "SELECT pg_advisory_xact_lock(%s, hashtext(%s))"
FEED_LOCK_CLASS = 0x41435456  # "ACTV": imports of one feed (source system) take turns
AUDIT_TOUCHED = f"""
    INSERT INTO {AUDIT} (occurred_at, user_id, username, role, organisation_id, patient_id, action,
        outcome, relationship, resource, source, client_ip, detail)
    SELECT now(), %s, %s, %s, %s, patient_id, %s, %s, '', 'activity_event', %s, %s, '{{}}'::jsonb
    FROM (SELECT DISTINCT patient_id FROM activity_touched) AS touched
"""  # noqa: S608 - table names are the models' own; values are parameters

Fault = tuple[int, str, str]  # (line, field, reason)
QUEUED_BLOCKS = 12


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
        map(str, block.lines),
        block.nhs_numbers,
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
    return "\n".join(map("\t".join, rows)) + "\n"


class PostgresEventStage:
    """Stages each block on a writer thread while the caller validates the next; a context
    manager so the thread has always finished with the connection before the transaction ends."""

    def __init__(self, *, user: User | None, report: ImportReport, strict: bool) -> None:
        self.user, self.report, self.strict = user, report, strict
        self.db = connections[DEFAULT_DB_ALIAS]  # this thread's connection, lent to the writer
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="activity-import")
        self.pending: list[Future[None]] = []
        self.systems: set[str] = set()

    def __enter__(self) -> "PostgresEventStage":
        with self.db.cursor() as cursor:
            cursor.execute(STAGING)
            cursor.execute(TOUCHED)
            # Compiling these few large statements costs more than it saves.
            cursor.execute("SET LOCAL jit = off")
        self.db.inc_thread_sharing()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        try:
            if kind is not None:
                for job in self.pending:
                    job.exception()  # wait; the error that brought us here is the one to raise
        finally:
            self.writer.shutdown(wait=True)
            self.db.dec_thread_sharing()

    def write(self, block: "EventColumns") -> None:
        if not len(block):
            return
        text = copy_text(block)
        self._wait(keep=QUEUED_BLOCKS)  # ahead of the database, but not a whole file ahead
        self.pending.append(self.writer.submit(self._stage, text))
        self.systems.update(block.source_systems)

    def apply(self) -> int:
        """Once the whole file is staged: name the rows no patient here fits, insert the rest unless
        strict mode met a bad row, audit the patients touched; returns how many events were added."""
        self._wait()
        with self.db.cursor() as cursor:
            cursor.execute(UNFIT)
            faults = [_unfit(*row) for row in cursor.fetchall()]
            for line, name, reason in faults:
                self.report.reject(line, name, reason)
            self.report.valid_rows -= len(faults)
            added = 0
            if not (self.strict and self.report.errors):
                for system in sorted(self.systems):  # always in the same order: no deadlock between imports
                    cursor.execute(FEED_LOCK, [FEED_LOCK_CLASS, system])
                added = self._insert(cursor)
            cursor.execute(AUDIT_TOUCHED, self._audit_values())
            # Dropped now, not only at commit: an enclosing transaction may run another import.
            cursor.execute("DROP TABLE activity_staging, activity_touched")
        return added

    def _audit_values(self) -> list[Any]:
        user = self.user
        signed_in = user is not None and user.is_authenticated
        context = current_context()
        return [
            user.pk if signed_in else None,  # type: ignore[union-attr]
            user.username if signed_in else "",  # type: ignore[union-attr]
            user.role if signed_in else "",  # type: ignore[union-attr]
            user.organisation_id if signed_in else None,  # type: ignore[union-attr]
            AuditAction.IMPORT.value,
            AuditOutcome.ALLOWED.value,
            context.source,
            context.client_ip,
        ]

    def _wait(self, *, keep: int = 0) -> None:
        """Wait until at most `keep` blocks are still being staged; a failure there is raised here."""
        while self.pending and (len(self.pending) > keep or self.pending[0].done()):
            self.pending.pop(0).result()

    def _stage(self, text: str) -> None:
        """On the writer thread: COPY a block into the staging table."""
        with self.db.cursor() as cursor, cursor.copy("COPY activity_staging FROM STDIN") as copy:
            copy.write(text)

    @staticmethod
    def _insert(cursor: Any) -> int:
        cursor.execute("SAVEPOINT activity_insert")
        try:
            cursor.execute(INSERT_NEW)
        except IntegrityError as exc:
            if not isinstance(exc.__cause__, errors.UniqueViolation):
                raise
            cursor.execute("ROLLBACK TO SAVEPOINT activity_insert")
            cursor.execute(INSERT_SKIPPING_CONFLICTS)
        added = int(cursor.fetchone()[0])
        cursor.execute("RELEASE SAVEPOINT activity_insert")
        return added


def _unfit(line: int, nhs_number: str, unknown: Any) -> Fault:
    if unknown:
        return (line, "nhs_number", f"No patient with NHS number {nhs_number} is registered here.")
    return (line, "event_date", DATE_BEFORE_BIRTH)
