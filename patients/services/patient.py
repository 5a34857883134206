"""Opening a patient's record for a user, and changing its registers.

`patient_open` is the one door through which any app reaches one patient for a user: it checks
the role and the care relationship and writes the audit entry, whatever the outcome. The risk
panel, and care plans, referrals and MDT after it, call it with their own `resource`.
"""

from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from caremodel.access import PatientDataForbidden, PatientNotVisible, patient_access_policy
from caremodel.audit import audit_record
from caremodel.exceptions import ConflictError
from caremodel.models import AuditAction, AuditOutcome, User
from patients.models import Patient
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number
from patients.rules.registers import register_values


class PatientVersionConflict(ConflictError):
    """Someone else changed the record since it was read: nothing was written (409)."""

    def __init__(self, *, expected: int, current: int | None) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            f"This record was changed by someone else (you edited version {expected}, it is now at version {current}). "
            "Reload it and make your change again."
        )

    def api_body(self) -> dict[str, Any]:
        return {"detail": str(self), "current_version": self.current}


def _open_record(
    *,
    user: User,
    patient: Patient | None,
    action: AuditAction,
    resource: str = "patient",
    detail: dict[str, Any] | None = None,
    audit_allowed: bool = True,
) -> Patient:
    detail = detail or {}
    if not patient_access_policy.may_see_patient_data(user):
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk if patient else None,
            resource=resource,
            detail={**detail, "reason": "role sees aggregates only" if user.role else "no role given yet"},
        )
        raise PatientDataForbidden
    if patient is None:
        audit_record(user=user, action=action, outcome=AuditOutcome.NOT_FOUND, resource=resource, detail=detail)
        raise PatientNotVisible
    relationship = patient_access_policy.relationship_with(user=user, patient=patient)
    if relationship is None:
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk,
            resource=resource,
            detail={**detail, "reason": "no care relationship"},
        )
        raise PatientNotVisible
    if audit_allowed:
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.ALLOWED,
            patient_id=patient.pk,
            relationship=relationship.name,
            resource=resource,
            detail=detail,
        )
    return patient


def patient_open(
    *, user: User, public_id: UUID, resource: str = "patient", detail: dict[str, Any] | None = None
) -> Patient:
    """Open a patient's record (or the part of it named by `resource`) for viewing, audited whatever
    the outcome; raises PatientNotVisible (404) or PatientDataForbidden (403)."""
    patient = Patient.objects.select_related("registered_practice").filter(public_id=public_id).first()
    return _open_record(user=user, patient=patient, action=AuditAction.VIEW, resource=resource, detail=detail)


def patient_show(*, user: User, patient: Patient, resource: str = "patient") -> Patient:
    """A record already checked for a write is shown again (a form that failed validation): the read is
    checked and audited like any other."""
    return _open_record(user=user, patient=patient, action=AuditAction.VIEW, resource=resource)


def patient_lookup_by_nhs_number(*, user: User, nhs_number: str) -> Patient:
    """Find a patient by NHS number in any formatting; invalid numbers raise ValidationError naming the field."""
    try:
        normalised = normalise_nhs_number(nhs_number)
    except InvalidNHSNumber as exc:
        audit_record(user=user, action=AuditAction.LOOKUP, outcome=AuditOutcome.INVALID)
        raise ValidationError({"nhs_number": str(exc)}) from exc
    patient = Patient.objects.select_related("registered_practice").filter(nhs_number=normalised).first()
    return _open_record(user=user, patient=patient, action=AuditAction.LOOKUP)


def patient_open_for_update(*, user: User, patient: Patient | None, resource: str = "patient") -> Patient:
    """Check the care relationship before a write; denials are audited here, the write audits itself.

    Every write calls this before its transaction opens, so that a refusal's audit entry is never
    rolled back with the write it stopped."""
    return _open_record(
        user=user,
        patient=patient,
        action=AuditAction.UPDATE,
        resource=resource,
        detail={"check": "write"},
        audit_allowed=False,
    )


def patient_for_write(*, user: User, public_id: UUID, resource: str = "patient") -> Patient:
    """The record a write (registers, a condition, a carer, an event) is about; 404 and 403 as for reads."""
    patient = Patient.objects.select_related("registered_practice").filter(public_id=public_id).first()
    return patient_open_for_update(user=user, patient=patient, resource=resource)


def _patient_update(
    *, user: User, patient: Patient, expected_version: int, changes: dict[str, Any], what: str
) -> Patient:
    """Conditional UPDATE ... WHERE version = expected: of two editors of one version, exactly one wins.
    A refused write is audited after the transaction, so raising the conflict does not roll its entry back.
    The caller has checked the care relationship (patient_open_for_update)."""
    with transaction.atomic():
        updated = Patient.objects.filter(pk=patient.pk, version=expected_version).update(
            **changes, version=F("version") + 1, updated_at=timezone.now()
        )
        if updated:
            audit_record(
                user=user,
                action=AuditAction.UPDATE,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient.pk,
                detail={"what": what, "fields": sorted(changes), "version": expected_version + 1},
            )
    if not updated:
        current = Patient.objects.filter(pk=patient.pk).values_list("version", flat=True).first()
        audit_record(
            user=user,
            action=AuditAction.UPDATE,
            outcome=AuditOutcome.INVALID,
            patient_id=patient.pk,
            detail={"what": what, "reason": "version conflict", "expected_version": expected_version},
        )
        raise PatientVersionConflict(expected=expected_version, current=current)
    patient.refresh_from_db()
    return patient


def patient_update_registers(
    *, user: User, patient: Patient, expected_version: int, changes: dict[str, Any]
) -> Patient:
    """Any of the register fields (patients.rules.registers.REGISTER_FIELDS) in one conditional UPDATE,
    one version step: all of them or none. The page and the API both come here."""
    patient_open_for_update(user=user, patient=patient)
    values = register_values(patient=patient, changes=changes, user=user)
    return _patient_update(
        user=user, patient=patient, expected_version=expected_version, changes=values, what="registers"
    )
