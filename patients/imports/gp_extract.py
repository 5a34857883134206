"""The GP registration extract: one row per registered patient, with coded conditions.

Columns: nhs_number, given_name, family_name, date_of_birth, sex, postcode, practice_ods_code,
conditions (";"-separated codes, each optionally "code:onset-date"), and optionally date_of_death.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from caremodel.audit import audit_record_many
from caremodel.models import AuditAction, Organisation, OrganisationKind, User
from patients.imports.matching import UnmatchedRow, queue_pending_matches
from patients.imports.reading import FileRejected, decode, is_postcode, parse_date, read_rows
from patients.imports.report import ImportReport
from patients.models import ClinicalCode, Patient, PatientCondition, Sex
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number
from patients.search_keys import postcode_key

REQUIRED = (
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "practice_ods_code",
    "conditions",
)
OPTIONAL = ("date_of_death",)
SEX_CODES = {"f": Sex.FEMALE, "m": Sex.MALE, "i": Sex.INDETERMINATE, "u": Sex.UNKNOWN, "": Sex.UNKNOWN}
DEMOGRAPHICS = (
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "registered_practice_id",
    "date_of_death",
)


def _sex(value: str) -> str | None:
    lowered = value.lower()
    if lowered in Sex.values:
        return lowered
    return SEX_CODES.get(lowered)


def _validate_row(
    line: int,
    row: dict[str, str],
    *,
    report: ImportReport,
    practices: dict[str, int],
    codes: dict[str, int],
    today: date,
) -> dict[str, Any] | None:
    errors_before = len(report.errors)
    parsed: dict[str, Any] = {}
    for name in ("given_name", "family_name"):
        if not row[name]:
            report.reject(line, name, "Required.")
        elif len(row[name]) > 100:
            report.reject(line, name, "Longer than 100 characters.")
        parsed[name] = row[name][:100]
    born: date | None = None
    try:
        born = parse_date(row["date_of_birth"])
        if born > today:
            report.reject(line, "date_of_birth", "Date of birth is in the future.")
    except ValueError:
        report.reject(line, "date_of_birth", f"{row['date_of_birth']!r} is not a date (use YYYY-MM-DD).")
    parsed["date_of_birth"] = born
    died = None
    if row.get("date_of_death"):
        try:
            died = parse_date(row["date_of_death"])
            if born and died < born:
                report.reject(line, "date_of_death", "Date of death is before the date of birth.")
            elif died > today:
                report.reject(line, "date_of_death", "Date of death is in the future.")
        except ValueError:
            report.reject(line, "date_of_death", f"{row['date_of_death']!r} is not a date (use YYYY-MM-DD).")
    parsed["date_of_death"] = died
    sex = _sex(row["sex"])
    if sex is None:
        report.reject(line, "sex", f"{row['sex']!r} is not one of female, male, indeterminate, unknown (or F/M/I/U).")
    parsed["sex"] = sex
    postcode = postcode_key(row["postcode"])
    if postcode and not is_postcode(postcode):
        report.reject(line, "postcode", f"{row['postcode']!r} is not a UK postcode.")
    parsed["postcode"] = postcode
    practice_id = practices.get(row["practice_ods_code"].upper())
    if practice_id is None:
        report.reject(line, "practice_ods_code", f"Unknown GP practice code {row['practice_ods_code']!r}.")
    parsed["registered_practice_id"] = practice_id
    conditions: list[tuple[int, date | None]] = []
    for item in filter(None, (part.strip() for part in row["conditions"].split(";"))):
        code, _, onset_text = item.partition(":")
        code_id = codes.get(code.strip())
        if code_id is None:
            report.reject(line, "conditions", f"Code {code.strip()!r} is not on the code list.")
            continue
        onset = None
        if onset_text.strip():
            try:
                onset = parse_date(onset_text.strip())
            except ValueError:
                report.reject(line, "conditions", f"Onset {onset_text.strip()!r} of code {code} is not a date.")
                continue
            if onset > today or (born and onset < born):
                report.reject(line, "conditions", f"Onset {onset} of code {code} is in the future or before birth.")
                continue
        conditions.append((code_id, onset))
    parsed["conditions"] = sorted(set(conditions), key=lambda c: (c[0], c[1] or date.min))
    return parsed if len(report.errors) == errors_before else None


def import_gp_extract(
    *, data: bytes, user: User | None, strict: bool = False, progress: Callable[[int], None] | None = None
) -> ImportReport:
    """Validate the whole extract, then create or update patients and add their conditions."""
    report = ImportReport(kind="gp_extract", strict=strict, progress=progress)
    today = timezone.localdate()
    practices = dict(Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).values_list("ods_code", "pk"))
    codes = dict(ClinicalCode.objects.values_list("code", "pk"))
    valid: dict[str, dict[str, Any]] = {}
    unmatched: list[UnmatchedRow] = []
    first_seen: dict[str, int] = {}
    try:
        text = decode(data, report)
        for line, row in read_rows(text, required=REQUIRED, optional=OPTIONAL, report=report):
            nhs_number = ""
            if row["nhs_number"]:
                try:
                    nhs_number = normalise_nhs_number(row["nhs_number"])
                except InvalidNHSNumber as exc:
                    report.reject(line, "nhs_number", str(exc))
            parsed = _validate_row(line, row, report=report, practices=practices, codes=codes, today=today)
            if parsed is None or (row["nhs_number"] and not nhs_number):
                continue
            if not nhs_number:
                unmatched.append(
                    UnmatchedRow(
                        line,
                        parsed["given_name"],
                        parsed["family_name"],
                        parsed["date_of_birth"],
                        parsed["postcode"],
                        row,
                    )
                )
                report.valid_rows += 1
                continue
            if nhs_number in first_seen:
                report.reject(line, "nhs_number", f"Duplicate: NHS number already on line {first_seen[nhs_number]}.")
                continue
            first_seen[nhs_number] = line
            valid[nhs_number] = parsed
            report.valid_rows += 1
    except FileRejected:
        return report
    if strict and report.errors:
        return report
    with transaction.atomic():
        _apply(valid=valid, report=report, user=user)
        report.queued_for_matching = queue_pending_matches(source="gp_extract", rows=unmatched)
    report.applied = True
    return report


def _apply(*, valid: dict[str, dict[str, Any]], report: ImportReport, user: User | None) -> None:
    existing = {
        patient.nhs_number: patient
        for chunk in _chunks(list(valid))
        for patient in Patient.objects.filter(nhs_number__in=chunk)
    }
    new = []
    touched: set[int] = set()
    for nhs_number, parsed in valid.items():
        fields = {name: parsed[name] for name in DEMOGRAPHICS}
        patient = existing.get(nhs_number)
        if patient is None:
            created = Patient(nhs_number=nhs_number, **fields)
            created.refresh_search_keys()
            new.append(created)
        elif any(getattr(patient, name) != value for name, value in fields.items()):
            probe = Patient(given_name=fields["given_name"], family_name=fields["family_name"])
            probe.refresh_search_keys()
            Patient.objects.filter(pk=patient.pk).update(
                **fields,
                search_family=probe.search_family,
                search_given=probe.search_given,
                version=F("version") + 1,
                updated_at=timezone.now(),
            )
            report.updated += 1
            touched.add(patient.pk)
        else:
            report.unchanged += 1
    before = Patient.objects.filter(nhs_number__in=[p.nhs_number for p in new]).count() if new else 0
    Patient.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    ids = {
        nhs: pk
        for chunk in _chunks(list(valid))
        for nhs, pk in Patient.objects.filter(nhs_number__in=chunk).values_list("nhs_number", "pk")
    }
    report.created = (Patient.objects.filter(nhs_number__in=[p.nhs_number for p in new]).count() - before) if new else 0
    touched |= {ids[p.nhs_number] for p in new}
    wanted = {(ids[nhs], code, onset) for nhs, parsed in valid.items() for code, onset in parsed["conditions"]}
    present = {
        row
        for chunk in _chunks(sorted({pk for pk, _, _ in wanted}))
        for row in PatientCondition.objects.filter(patient_id__in=chunk).values_list(
            "patient_id", "code_id", "onset_date"
        )
    }
    additions = [
        PatientCondition(patient_id=pk, code_id=code, onset_date=onset, source="gp_extract")
        for pk, code, onset in sorted(wanted - present, key=lambda r: (r[0], r[1], r[2] or date.min))
    ]
    PatientCondition.objects.bulk_create(additions, batch_size=1000, ignore_conflicts=True)
    report.conditions_added = len(additions)
    touched |= {condition.patient_id for condition in additions}
    if touched:
        audit_record_many(
            user=user,
            action=AuditAction.IMPORT,
            patient_ids=sorted(touched),
            resource="gp_extract",
            detail={"created": report.created, "updated": report.updated},
        )


def _chunks(values: list[Any], size: int = 900) -> list[list[Any]]:
    """SQLite limits the number of parameters of one query."""
    return [values[start : start + size] for start in range(0, len(values), size)]
