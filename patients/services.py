"""Use cases on patients. Each checks the access policy and writes the audit trail."""

from uuid import UUID

from django.core.exceptions import ValidationError

from caremodel.access import PatientDataForbidden, PatientNotVisible, patient_access_policy
from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, User
from patients.models import Patient
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number


def _open_record(*, user: User, patient: Patient | None, action: AuditAction, detail: dict[str, str]) -> Patient:
    if not patient_access_policy.may_see_patient_data(user):
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk if patient else None,
            detail={**detail, "reason": "role sees aggregates only"},
        )
        raise PatientDataForbidden
    if patient is None:
        audit_record(user=user, action=action, outcome=AuditOutcome.NOT_FOUND, detail=detail)
        raise PatientNotVisible
    relationship = patient_access_policy.relationship_with(user=user, patient=patient)
    if relationship is None:
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk,
            detail={**detail, "reason": "no care relationship"},
        )
        raise PatientNotVisible
    audit_record(
        user=user, action=action, outcome=AuditOutcome.ALLOWED, patient_id=patient.pk, relationship=relationship.name
    )
    return patient


def patient_open(*, user: User, public_id: UUID) -> Patient:
    """Open a patient's record for viewing; raises PatientNotVisible or PatientDataForbidden."""
    patient = Patient.objects.select_related("registered_practice").filter(public_id=public_id).first()
    return _open_record(user=user, patient=patient, action=AuditAction.VIEW, detail={})


def patient_lookup_by_nhs_number(*, user: User, nhs_number: str) -> Patient:
    """Find a patient by NHS number in any formatting; invalid numbers raise ValidationError naming the field."""
    try:
        normalised = normalise_nhs_number(nhs_number)
    except InvalidNHSNumber as exc:
        audit_record(user=user, action=AuditAction.LOOKUP, outcome=AuditOutcome.INVALID)
        raise ValidationError({"nhs_number": str(exc)}) from exc
    patient = Patient.objects.select_related("registered_practice").filter(nhs_number=normalised).first()
    return _open_record(user=user, patient=patient, action=AuditAction.LOOKUP, detail={})
