"""A person confirms or rejects the match of an import row that had no NHS number.
Confirming applies the row to the chosen record; nothing is ever applied without this step,
and only a record offered for the row can be chosen."""

from datetime import date
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from caremodel.audit import audit_record, audit_record_many
from caremodel.models import AuditAction, AuditOutcome, Organisation, User
from caremodel.rules import require_administrator
from patients.imports.reading import parse_date
from patients.models import ActivityEvent, ClinicalCode, Patient, PatientCondition, PendingMatch, PendingMatchStatus
from patients.selectors.pending_matches import pending_matches_waiting, plausible_records

DOING = "confirm import matches"


def pending_matches(*, user: User) -> QuerySet[PendingMatch]:
    require_administrator(user, doing=DOING)
    return pending_matches_waiting()


def pending_match_candidates(*, user: User, matches: list[PendingMatch]) -> dict[int, list[Patient]]:
    """The records each row might belong to, for the administrator to choose among; every record shown
    is audited (LIST, administration)."""
    require_administrator(user, doing=DOING)
    found = plausible_records(matches=matches)
    shown = sorted({p.pk for rows in found.values() for p in rows})
    if shown:
        audit_record_many(
            user=user,
            action=AuditAction.LIST,
            patient_ids=shown,
            relationship="administration",
            resource="pending_match",
        )
    return found


def _apply_activity(match: PendingMatch, patient: Patient) -> int:
    row = match.row
    provider = Organisation.objects.filter(ods_code=(row.get("provider_code") or "").upper()).first()
    stay = row.get("length_of_stay") or ""
    created = ActivityEvent.objects.bulk_create(
        [
            ActivityEvent(
                patient=patient,
                kind=row["event_type"].lower(),
                event_date=parse_date(row["event_date"]),
                provider=provider,
                source_system=(row.get("source_system") or "sus")[:32],
                source_id=row["source_id"][:64],
                length_of_stay_days=int(stay) if stay.isdigit() else None,
                discharge_destination=(row.get("discharge_destination") or "").lower(),
            )
        ],
        ignore_conflicts=True,
    )
    return len(created)


def _apply_gp_extract(match: PendingMatch, patient: Patient) -> int:
    added = 0
    for item in filter(None, (part.strip() for part in (match.row.get("conditions") or "").split(";"))):
        code, _, onset_text = item.partition(":")
        clinical_code = ClinicalCode.objects.filter(code=code.strip()).first()
        if clinical_code is None:
            continue
        onset: date | None = parse_date(onset_text.strip()) if onset_text.strip() else None
        added += PatientCondition.objects.get_or_create(
            patient=patient, code=clinical_code, onset_date=onset, defaults={"source": "gp_extract"}
        )[1]
    return added


def pending_match_decide(*, user: User, match_id: int, confirm: bool, chosen: UUID | None) -> PendingMatch:
    """The administrator's decision on a row: confirm it against `chosen` (or, with no choice, the
    suggested record), or reject it. Only a record offered for this row can be chosen."""
    require_administrator(user, doing=DOING)
    match = pending_matches_waiting().filter(pk=match_id).first()
    if match is None:
        raise ValidationError({"match": "That row was already resolved."})
    patient = None
    if confirm:
        offered = plausible_records(matches=[match])[match.pk]
        patient = next((p for p in offered if p.public_id == chosen), None) if chosen is not None else match.candidate
        if patient is None:
            raise ValidationError({"patient": "Choose the record this row belongs to from the list."})
    return pending_match_resolve(user=user, match=match, patient=patient, confirm=confirm)


def pending_match_resolve(*, user: User, match: PendingMatch, patient: Patient | None, confirm: bool) -> PendingMatch:
    """Confirm (applying the row to `patient`) or reject; a match is resolved once."""
    require_administrator(user, doing=DOING)
    with transaction.atomic():
        locked = PendingMatch.objects.select_for_update().get(pk=match.pk)
        if locked.status != PendingMatchStatus.PENDING:
            raise ValidationError({"match": "This row was already resolved."})
        if confirm:
            if patient is None:
                raise ValidationError({"patient": "Choose the record this row belongs to."})
            try:
                applied = (
                    _apply_activity(locked, patient)
                    if locked.source == "activity"
                    else _apply_gp_extract(locked, patient)
                )
            except (KeyError, ValueError) as exc:
                raise ValidationError({"match": "The stored row can no longer be applied."}) from exc
            audit_record(
                user=user,
                action=AuditAction.IMPORT,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient.pk,
                relationship="administration",
                resource="pending_match",
                detail={"pending_match": locked.pk, "source": locked.source, "applied": applied},
            )
        locked.status = PendingMatchStatus.CONFIRMED if confirm else PendingMatchStatus.REJECTED
        locked.candidate = patient if confirm else locked.candidate
        locked.resolved_by = user
        locked.resolved_at = timezone.now()
        locked.save(update_fields=["status", "candidate", "resolved_by", "resolved_at"])
    return locked
