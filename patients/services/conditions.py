"""Coded conditions on the record (registers and frailty deficits)."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, User
from patients.models import ClinicalCode, Patient, PatientCondition
from patients.services.patient import patient_open_for_update


def condition_record(
    *, user: User, patient: Patient, code: str, onset_date: date | None, source: str = "manual"
) -> tuple[PatientCondition, bool]:
    """Add a coded condition; recording the same code and onset again returns the existing row."""
    patient_open_for_update(user=user, patient=patient)
    clinical_code = ClinicalCode.objects.filter(code=code).first()
    if clinical_code is None:
        raise ValidationError({"code": f"{code[:40]!r} is not on the code list."})
    if onset_date is not None and onset_date > timezone.localdate():
        raise ValidationError({"onset_date": "The onset date cannot be in the future."})
    if onset_date is not None and onset_date < patient.date_of_birth:
        raise ValidationError({"onset_date": "The onset date cannot be before the date of birth."})
    with transaction.atomic():
        condition, created = PatientCondition.objects.get_or_create(
            patient=patient, code=clinical_code, onset_date=onset_date, defaults={"source": source}
        )
        if created:
            audit_record(
                user=user,
                action=AuditAction.CREATE,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient.pk,
                resource="condition",
                detail={"code": code},
            )
    return condition, created
