"""The activity feed (a hospital / SUS-shaped extract): one row per event.

Columns: nhs_number, event_type, event_date, provider_code, source_id; optional source_system
(else the feed's name), length_of_stay, discharge_destination, with_fracture, and for rows
without an NHS number given_name, family_name, date_of_birth, postcode (queued for matching).

The feed is read in blocks and validated column by column (activity_columns). Inside one
transaction each block's valid rows are staged as they are checked: on PostgreSQL COPYed
into a temporary table, elsewhere held in memory. Only when the whole file has been read is
anything applied: a set-based INSERT ... ON CONFLICT DO NOTHING (or bulk_create with
ignore_conflicts), so a row already stored is not stored again; in strict mode a single
bad row rolls the whole transaction back.
"""

from collections.abc import Callable
from dataclasses import fields
from datetime import date
from itertools import islice

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from caremodel.audit import audit_record_many
from caremodel.models import AuditAction, Organisation, User
from patients.imports.activity_columns import FIELD_ORDER, OPTIONAL, REQUIRED, EventColumns, FeedValidator, Unmatched
from patients.imports.matching import UnmatchedRow, queue_pending_matches
from patients.imports.postgres import PostgresEventStage
from patients.imports.reading import FileRejected, cyclic_gc_paused, decode, open_csv, parse_date
from patients.imports.report import ImportReport, RowError
from patients.models import ActivityEvent, Patient

BLOCK_ROWS = 50_000


class _Abandoned(Exception):
    """Strict mode found a bad row: leave the transaction without applying anything."""


class MemoryEventStage:
    """The portable stage: blocks kept in memory, then bulk_create with ignore_conflicts."""

    def __init__(self, *, user: User | None, report: ImportReport, strict: bool) -> None:
        self.user, self.report, self.strict = user, report, strict
        self.blocks: list[EventColumns] = []

    def __enter__(self) -> "MemoryEventStage":
        return self

    def __exit__(self, *exc_info: object) -> None:
        return None

    def write(self, block: EventColumns) -> None:
        self.blocks.append(block)

    def apply(self) -> int:
        if not self.blocks or (self.strict and self.report.errors):
            return 0
        whole = EventColumns()
        for block in self.blocks:
            for column in fields(EventColumns):
                getattr(whole, column.name).extend(getattr(block, column.name))
        return _bulk_insert(block=whole, user=self.user)


def import_activity(
    *,
    data: bytes,
    user: User | None,
    strict: bool = False,
    source_system: str = "sus",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate the whole feed, then store every valid event once."""
    with cyclic_gc_paused():
        return _import(data=data, user=user, strict=strict, source_system=source_system, progress=progress)


def _import(
    *, data: bytes, user: User | None, strict: bool, source_system: str, progress: Callable[[int], None] | None
) -> ImportReport:
    report = ImportReport(kind="activity", strict=strict, progress=progress)
    try:
        text = decode(data, report)
        columns, records = open_csv(text, required=REQUIRED, optional=OPTIONAL, report=report)
    except FileRejected:
        return report
    postgres = connection.vendor == "postgresql"
    validator = FeedValidator(
        columns=columns,
        providers={code: (pk, kind) for code, pk, kind in Organisation.objects.values_list("ods_code", "pk", "kind")},
        source_system=source_system,
        today=timezone.localdate(),
        find_patients=None if postgres else _patients_by_nhs,
    )
    unmatched: list[UnmatchedRow] = []
    try:
        with transaction.atomic():
            stage: PostgresEventStage | MemoryEventStage
            if postgres:
                stage = PostgresEventStage(user=user, report=report, strict=strict)
            else:
                stage = MemoryEventStage(user=user, report=report, strict=strict)
            with stage:
                while block := list(islice(records, BLOCK_ROWS)):
                    result = validator.block(block)
                    for line, name, reason in result.faults:
                        report.reject(line, name, reason)
                    report.valid_rows += len(result.accepted) + _queue_unmatched(result.unmatched, report, unmatched)
                    stage.write(result.accepted)  # in strict mode too: the database names its own faults
                added = stage.apply()
            if strict and report.errors:
                raise _Abandoned
            report.events_added = added
            report.events_already_present = report.valid_rows - len(unmatched) - added
            report.queued_for_matching = queue_pending_matches(source="activity", rows=unmatched)
    except (FileRejected, _Abandoned):
        report.events_added = report.events_already_present = 0
        return report
    except IntegrityError:
        # Only a concurrent change can do this: a patient or provider the rows name was removed
        # (a merge, say) between the check and the insert. Nothing was applied.
        report.reject(0, "file", "A patient or provider the file names changed while it was imported; import it again.")
        report.events_added = report.events_already_present = 0
        return report
    finally:
        report.errors.sort(key=_reading_order)
    report.applied = True
    return report


def _reading_order(error: RowError) -> tuple[int, int]:
    return (error.line, FIELD_ORDER.get(error.field, len(FIELD_ORDER)))


def _patients_by_nhs(numbers: list[str]) -> dict[str, tuple[int, date]]:
    """The portable path's lookup; on PostgreSQL the staged rows are checked in SQL instead."""
    found: dict[str, tuple[int, date]] = {}
    chunk = 900
    for start in range(0, len(numbers), chunk):
        rows = Patient.objects.filter(nhs_number__in=numbers[start : start + chunk]).values_list(
            "nhs_number", "pk", "date_of_birth"
        )
        found.update({nhs: (pk, born) for nhs, pk, born in rows})
    return found


def _queue_unmatched(rows: list[Unmatched], report: ImportReport, unmatched: list[UnmatchedRow]) -> int:
    """Rows without an NHS number need a name and date of birth to be matched on; returns how many qualify."""
    queued = 0
    for row in rows:
        raw = row.raw
        given, family, born_text = raw.get("given_name", ""), raw.get("family_name", ""), raw.get("date_of_birth", "")
        if not (given and family and born_text):
            report.reject(row.line, "nhs_number", "Missing, and no name and date of birth to match the person on.")
            continue
        try:
            born = parse_date(born_text)
        except ValueError:
            report.reject(row.line, "date_of_birth", f"{born_text!r} is not a date (use YYYY-MM-DD).")
            continue
        unmatched.append(UnmatchedRow(row.line, given, family, born, raw.get("postcode", ""), raw))
        queued += 1
    return queued


def _bulk_insert(*, block: EventColumns, user: User | None) -> int:
    """The portable path: skip rows already stored, insert the rest, audit the patients touched."""
    present: set[tuple[str, str]] = set()
    keys = list(zip(block.source_systems, block.source_ids, strict=True))
    for system in {system for system, _ in keys}:
        ids = [source_id for s, source_id in keys if s == system]
        for start in range(0, len(ids), 900):
            present |= {
                (system, source_id)
                for source_id in ActivityEvent.objects.filter(
                    source_system=system, source_id__in=ids[start : start + 900]
                ).values_list("source_id", flat=True)
            }
    new = [
        ActivityEvent(
            patient_id=patient_id,
            kind=kind,
            event_date=event_date,
            provider_id=provider_id,
            source_system=system,
            source_id=source_id,
            length_of_stay_days=stay,
            discharge_destination=destination,
            with_fracture=fracture,
        )
        for patient_id, kind, event_date, provider_id, system, source_id, stay, destination, fracture in zip(
            block.patient_ids,
            block.kinds,
            block.dates,
            block.provider_ids,
            block.source_systems,
            block.source_ids,
            block.stays,
            block.destinations,
            block.fractures,
            strict=True,
        )
        if (system, source_id) not in present
    ]
    ActivityEvent.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    touched = {event.patient_id for event in new}
    if touched:
        audit_record_many(user=user, action=AuditAction.IMPORT, patient_ids=sorted(touched), resource="activity_event")
    return len(new)
