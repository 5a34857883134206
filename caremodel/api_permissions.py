"""DRF permissions shared by every patient-level endpoint, and the administrator's endpoints."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from caremodel import rules
from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome


def _audit_refusal(request: Request, reason: str) -> None:
    audit_record(
        user=request.user,  # type: ignore[arg-type]
        action=AuditAction.VIEW,
        outcome=AuditOutcome.DENIED,
        resource="api",
        detail={"path": request.path, "method": request.method or "", "reason": reason},
    )


class SeesPatientData(BasePermission):
    """Aggregate-only roles (commissioners) and accounts without a role get 403, audited."""

    message = "Your role does not see patient records."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if rules.may_see_patient_data(user):
            return True
        _audit_refusal(request, "role sees aggregates only" if user.role else "no role given yet")  # type: ignore[union-attr]
        return False


class IsAdministrator(BasePermission):
    """System administrators only; superuser status does not stand in for the role."""

    message = "Only a system administrator can do this."

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if rules.is_administrator(user):
            return True
        _audit_refusal(request, "administrators only")
        return False
