"""The activity feed (a hospital / SUS-shaped extract): one row per event.

Columns: nhs_number, event_type, event_date, provider_code, source_id; optional source_system
(else the feed's name), length_of_stay, discharge_destination, with_fracture, and for rows
without an NHS number given_name, family_name, date_of_birth, postcode (queued for matching).

Validation runs in Python with per-value caches (a feed repeats NHS numbers and dates).
On PostgreSQL the valid rows are COPYed into a temporary table and inserted set-based,
joined to patients by NHS number, ON CONFLICT DO NOTHING; elsewhere bulk_create with
ignore_conflicts gives the same result. Either way a row already stored is not stored again.
"""

from datetime import date
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from caremodel.audit import audit_record_many
from caremodel.models import AuditAction, Organisation, User
from patients.imports.matching import UnmatchedRow, queue_pending_matches
from patients.imports.postgres import copy_activity_rows
from patients.imports.reading import FileRejected, decode, open_csv, parse_date
from patients.imports.report import ImportReport
from patients.models import ActivityEvent, DischargeDestination, EventKind, Patient
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number

REQUIRED = ("nhs_number", "event_type", "event_date", "provider_code", "source_id")
OPTIONAL = (
    "source_system",
    "length_of_stay",
    "discharge_destination",
    "with_fracture",
    "given_name",
    "family_name",
    "date_of_birth",
    "postcode",
)
KINDS = frozenset(EventKind.values)
DESTINATIONS = frozenset(DischargeDestination.values)
BOOLEANS = {
    "": None,
    "y": True,
    "yes": True,
    "true": True,
    "1": True,
    "n": False,
    "no": False,
    "false": False,
    "0": False,
}


class EventRow(NamedTuple):
    line: int
    nhs_number: str
    kind: str
    event_date: date
    provider_id: int | None
    source_system: str
    source_id: str
    length_of_stay: int | None
    discharge_destination: str
    with_fracture: bool | None


class _Validator:
    """Per-file caches: a feed of a million rows has far fewer distinct NHS numbers, dates
    and providers than rows, so each distinct value is checked once."""

    def __init__(
        self, *, report: ImportReport, providers: dict[str, int], source_system: str, columns: dict[str, int]
    ) -> None:
        self.report = report
        self.providers = providers
        self.source_system = source_system[:32]
        self.today = timezone.localdate()
        self.nhs_cache: dict[str, str | InvalidNHSNumber] = {}
        self.date_cache: dict[str, date | str] = {}
        self.columns = columns
        self.optional = {name: columns.get(name) for name in OPTIONAL}

    def nhs(self, raw: str) -> str | InvalidNHSNumber:
        cached = self.nhs_cache.get(raw)
        if cached is None:
            try:
                cached = normalise_nhs_number(raw)
            except InvalidNHSNumber as exc:
                cached = exc
            self.nhs_cache[raw] = cached
        return cached

    def event_date(self, raw: str) -> date | str:
        cached = self.date_cache.get(raw)
        if cached is None:
            try:
                parsed = parse_date(raw)
                cached = parsed if parsed <= self.today else "The event date is in the future."
            except ValueError:
                cached = f"{raw!r} is not a date (use YYYY-MM-DD)."
            self.date_cache[raw] = cached
        return cached

    def value(self, values: list[str], name: str) -> str:
        index = self.optional[name]
        return values[index].strip() if index is not None else ""

    def row(self, line: int, values: list[str]) -> EventRow | None:
        reject = self.report.reject
        columns = self.columns
        ok = True
        nhs_number = ""
        raw_nhs = values[columns["nhs_number"]].strip()
        if raw_nhs:
            checked = self.nhs(raw_nhs)
            if isinstance(checked, InvalidNHSNumber):
                reject(line, "nhs_number", str(checked))
                ok = False
            else:
                nhs_number = checked
        raw_kind = values[columns["event_type"]].strip()
        kind = raw_kind.lower()
        if kind not in KINDS:
            reject(line, "event_type", f"{raw_kind!r} is not a known event type.")
            ok = False
        event_date = self.event_date(values[columns["event_date"]].strip())
        if isinstance(event_date, str):
            reject(line, "event_date", event_date)
            ok = False
        provider_id = None
        provider_code = values[columns["provider_code"]].strip()
        if provider_code:
            provider_id = self.providers.get(provider_code.upper())
            if provider_id is None:
                reject(line, "provider_code", f"Unknown provider code {provider_code[:20]!r}.")
                ok = False
        source_id = values[columns["source_id"]].strip()
        if not source_id or len(source_id) > 64:
            reject(line, "source_id", "Required, at most 64 characters.")
            ok = False
        source_system = self.value(values, "source_system")[:32] or self.source_system
        length_of_stay = None
        stay_text = self.value(values, "length_of_stay")
        if stay_text:
            if stay_text.isdigit() and len(stay_text) < 6:
                length_of_stay = int(stay_text)
            else:
                reject(line, "length_of_stay", f"{stay_text[:20]!r} is not a whole number of days.")
                ok = False
        destination = self.value(values, "discharge_destination").lower()
        if destination and (destination not in DESTINATIONS or kind != EventKind.DISCHARGE):
            reject(line, "discharge_destination", f"{destination[:40]!r} is not a destination of a discharge.")
            ok = False
        fracture_text = self.value(values, "with_fracture").lower()
        if fracture_text not in BOOLEANS:
            reject(line, "with_fracture", f"{fracture_text[:20]!r} is not yes or no.")
            ok = False
        if not ok:
            return None
        return EventRow(
            line,
            nhs_number,
            kind,
            event_date,  # type: ignore[arg-type]
            provider_id,
            source_system,
            source_id,
            length_of_stay,
            destination,
            BOOLEANS[fracture_text],
        )


def _patients_by_nhs(numbers: list[str]) -> dict[str, tuple[int, date]]:
    if connection.vendor == "postgresql":
        # One array parameter instead of tens of thousands of bound values.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT nhs_number, id, date_of_birth FROM {Patient._meta.db_table} WHERE nhs_number = ANY(%s)",  # noqa: S608
                [numbers],
            )
            return {nhs: (pk, born) for nhs, pk, born in cursor.fetchall()}
    found: dict[str, tuple[int, date]] = {}
    chunk = 900
    for start in range(0, len(numbers), chunk):
        rows = Patient.objects.filter(nhs_number__in=numbers[start : start + chunk]).values_list(
            "nhs_number", "pk", "date_of_birth"
        )
        found.update({nhs: (pk, born) for nhs, pk, born in rows})
    return found


def import_activity(
    *, data: bytes, user: User | None, strict: bool = False, source_system: str = "sus"
) -> ImportReport:
    """Validate the whole feed, then store every valid event once."""
    report = ImportReport(kind="activity", strict=strict)
    providers = dict(Organisation.objects.values_list("ods_code", "pk"))
    rows: list[EventRow] = []
    unmatched: list[UnmatchedRow] = []
    seen: dict[tuple[str, str], int] = {}
    try:
        text = decode(data, report)
        columns, records = open_csv(text, required=REQUIRED, optional=OPTIONAL, report=report)
        validator = _Validator(report=report, providers=providers, source_system=source_system, columns=columns)
        for line, values in records:
            event = validator.row(line, values)
            if event is None:
                continue
            key = (event.source_system, event.source_id)
            if key in seen:
                report.reject(line, "source_id", f"Duplicate row: the same source id is on line {seen[key]}.")
                continue
            seen[key] = line
            if event.nhs_number:
                rows.append(event)
            elif _queue_unmatched(
                line, {name: values[index].strip() for name, index in columns.items()}, report, unmatched
            ):
                report.valid_rows += 1
    except FileRejected:
        return report
    patients = _patients_by_nhs(sorted({row.nhs_number for row in rows}))
    accepted: list[EventRow] = []
    for row in rows:
        found = patients.get(row.nhs_number)
        if found is None:
            report.reject(row.line, "nhs_number", f"No patient with NHS number {row.nhs_number} is registered here.")
        elif row.event_date < found[1]:
            report.reject(row.line, "event_date", "The event date is before the patient's date of birth.")
        else:
            accepted.append(row)
    report.valid_rows += len(accepted)
    if strict and report.errors:
        return report
    with transaction.atomic():
        if connection.vendor == "postgresql":
            added = copy_activity_rows(rows=accepted, user=user)
        else:
            added = _bulk_insert(rows=accepted, patients=patients, user=user)
        report.events_added = added
        report.events_already_present = len(accepted) - added
        report.queued_for_matching = queue_pending_matches(source="activity", rows=unmatched)
    report.applied = True
    return report


def _queue_unmatched(line: int, raw: dict[str, str], report: ImportReport, unmatched: list[UnmatchedRow]) -> bool:
    given, family, born_text = raw.get("given_name", ""), raw.get("family_name", ""), raw.get("date_of_birth", "")
    if not (given and family and born_text):
        report.reject(line, "nhs_number", "Missing, and no name and date of birth to match the person on.")
        return False
    try:
        born = parse_date(born_text)
    except ValueError:
        report.reject(line, "date_of_birth", f"{born_text!r} is not a date (use YYYY-MM-DD).")
        return False
    unmatched.append(UnmatchedRow(line, given, family, born, raw.get("postcode", ""), raw))
    return True


def _bulk_insert(*, rows: list[EventRow], patients: dict[str, tuple[int, date]], user: User | None) -> int:
    """The portable path: skip rows already stored, insert the rest, audit the patients touched."""
    present: set[tuple[str, str]] = set()
    keys = [(row.source_system, row.source_id) for row in rows]
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
            patient_id=patients[row.nhs_number][0],
            kind=row.kind,
            event_date=row.event_date,
            provider_id=row.provider_id,
            source_system=row.source_system,
            source_id=row.source_id,
            length_of_stay_days=row.length_of_stay,
            discharge_destination=row.discharge_destination,
            with_fracture=row.with_fracture,
        )
        for row in rows
        if (row.source_system, row.source_id) not in present
    ]
    ActivityEvent.objects.bulk_create(new, batch_size=2000, ignore_conflicts=True)
    touched = {event.patient_id for event in new}
    if touched:
        audit_record_many(user=user, action=AuditAction.IMPORT, patient_ids=sorted(touched), resource="activity_event")
    return len(new)
