"""A person confirms or rejects the match of an import row that had no NHS number.
Confirming applies the row to the chosen record; nothing is ever applied without this step."""

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, Organisation, Role, User
from patients.imports.reading import parse_date
from patients.models import ActivityEvent, ClinicalCode, Patient, PatientCondition, PendingMatch, PendingMatchStatus


def _require_administrator(user: User) -> None:
    if not (user.is_active and (user.role == Role.ADMINISTRATOR or user.is_superuser)):
        raise PermissionDenied("Only a system administrator can confirm import matches.")


def pending_matches(*, user: User) -> QuerySet[PendingMatch]:
    _require_administrator(user)
    return PendingMatch.objects.filter(status=PendingMatchStatus.PENDING).select_related("candidate")


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


def pending_match_resolve(*, user: User, match: PendingMatch, patient: Patient | None, confirm: bool) -> PendingMatch:
    """Confirm (applying the row to `patient`) or reject; a match is resolved once."""
    _require_administrator(user)
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
