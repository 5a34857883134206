"""Moving into and out of a care home: one current stay per patient."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, Organisation, OrganisationKind, User
from patients.models import CareHomeResidence, Patient
from patients.services.patient import patient_open_for_update


def care_home_admit(
    *, user: User, patient: Patient, care_home: Organisation, since: date, nursing: bool
) -> CareHomeResidence:
    """Move into a care home: the current stay (if any) ends the day before, so there is one open stay."""
    if care_home.kind != OrganisationKind.CARE_HOME:
        raise ValidationError({"care_home": "Choose a care home."})
    patient_open_for_update(user=user, patient=patient)
    with transaction.atomic():
        current = CareHomeResidence.objects.select_for_update().filter(patient=patient, until__isnull=True).first()
        if current is not None:
            if since <= current.since:
                raise ValidationError({"since": "The new stay must start after the current stay began."})
            current.until = since - timedelta(days=1)
            current.save(update_fields=["until"])
        stay = CareHomeResidence.objects.create(patient=patient, care_home=care_home, since=since, nursing=nursing)
        audit_record(
            user=user,
            action=AuditAction.CREATE,
            outcome=AuditOutcome.ALLOWED,
            patient_id=patient.pk,
            resource="care_home_residence",
            detail={"care_home": care_home.ods_code},
        )
    return stay


def care_home_leave(*, user: User, patient: Patient, until: date) -> CareHomeResidence:
    patient_open_for_update(user=user, patient=patient)
    with transaction.atomic():
        current = CareHomeResidence.objects.select_for_update().filter(patient=patient, until__isnull=True).first()
        if current is None:
            raise ValidationError({"until": "The patient is not living in a care home."})
        if until < current.since:
            raise ValidationError({"until": "The stay cannot end before it began."})
        current.until = until
        current.save(update_fields=["until"])
        audit_record(
            user=user,
            action=AuditAction.UPDATE,
            outcome=AuditOutcome.ALLOWED,
            patient_id=patient.pk,
            resource="care_home_residence",
            detail={"ended": True},
        )
    return current
