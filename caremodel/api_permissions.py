"""DRF permissions shared by every patient-level endpoint."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from caremodel.access import patient_access_policy
from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome


class SeesPatientData(BasePermission):
    """Aggregate-only roles (commissioners) get 403 on every patient-level endpoint, audited."""

    message = "Your role sees aggregate figures only, not patient records."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if patient_access_policy.may_see_patient_data(user):
            return True
        audit_record(
            user=user,
            action=AuditAction.VIEW,
            outcome=AuditOutcome.DENIED,
            detail={"path": request.path, "reason": "role sees aggregates only"},
        )
        return False
