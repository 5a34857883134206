"""Use cases of the risk pages that read patient data: each checks access and writes the audit trail."""

from uuid import UUID

from caremodel.access import PatientDataForbidden, PatientNotVisible, patient_access_policy
from caremodel.audit import audit_record, audit_record_many
from caremodel.models import AuditAction, AuditOutcome, User
from patients.models import Patient
from stratification.models import RiskScore
from stratification.selectors import published_run


def risk_list_audit(*, user: User, rows: list[RiskScore], export: bool = False) -> int:
    """One audit row per patient that appeared on a risk list page or in an export."""
    return audit_record_many(
        user=user,
        action=AuditAction.EXPORT if export else AuditAction.LIST,
        patient_ids=[row.patient_id for row in rows],
        resource="risk_list",
        detail={"run": rows[0].run_id} if rows else {},
    )


def risk_panel_open(*, user: User, public_id: UUID) -> tuple[Patient, RiskScore | None]:
    """The patient's score in the published run, for the record page's risk panel."""
    patient = Patient.objects.filter(public_id=public_id).first()
    if not patient_access_policy.may_see_patient_data(user):
        audit_record(
            user=user,
            action=AuditAction.VIEW,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk if patient else None,
            resource="risk_panel",
            detail={"reason": "role sees aggregates only"},
        )
        raise PatientDataForbidden
    relationship = patient_access_policy.relationship_with(user=user, patient=patient) if patient else None
    if patient is None or relationship is None:
        audit_record(
            user=user,
            action=AuditAction.VIEW,
            outcome=AuditOutcome.NOT_FOUND if patient is None else AuditOutcome.DENIED,
            patient_id=patient.pk if patient else None,
            resource="risk_panel",
        )
        raise PatientNotVisible
    pointer = published_run()
    score = RiskScore.objects.filter(run_id=pointer.run_id, patient_id=patient.pk).first() if pointer else None
    audit_record(
        user=user,
        action=AuditAction.VIEW,
        outcome=AuditOutcome.ALLOWED,
        patient_id=patient.pk,
        relationship=relationship.name,
        resource="risk_panel",
    )
    return patient, score
