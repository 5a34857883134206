"""Writing the audit trail: called explicitly from services, never from signals (docs/adr/0003)."""

import logging
from collections.abc import Iterable
from typing import Any

from django.db import DatabaseError

from caremodel.models import AuditAction, AuditEvent, AuditOutcome, User
from caremodel.request_context import current_context

logger = logging.getLogger(__name__)


class AuditUnavailable(Exception):
    """Raised when an audit row cannot be written; the access it records must not go ahead."""


def _base_fields(user: User | None) -> dict[str, Any]:
    context = current_context()
    fields: dict[str, Any] = {"source": context.source, "client_ip": context.client_ip}
    if user is not None and user.is_authenticated:
        fields.update(user_id=user.pk, username=user.username, role=user.role, organisation_id=user.organisation_id)
    return fields


def audit_record(
    *,
    user: User | None,
    action: AuditAction,
    outcome: AuditOutcome,
    patient_id: int | None = None,
    relationship: str = "",
    resource: str = "patient",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit row. Fails closed: the caller's read or write fails with it."""
    try:
        return AuditEvent.objects.create(
            **_base_fields(user),
            patient_id=patient_id,
            action=action,
            outcome=outcome,
            relationship=relationship,
            resource=resource,
            detail=detail or {},
        )
    except DatabaseError as exc:
        logger.error("audit write failed: %s", type(exc).__name__)
        raise AuditUnavailable from exc


def audit_record_many(
    *,
    user: User | None,
    action: AuditAction,
    patient_ids: Iterable[int],
    relationship: str = "",
    resource: str = "patient",
    detail: dict[str, Any] | None = None,
) -> int:
    """One row per patient that appeared in a list, search or export (allowed outcome)."""
    fields = _base_fields(user)
    rows = [
        AuditEvent(
            **fields,
            patient_id=patient_id,
            action=action,
            outcome=AuditOutcome.ALLOWED,
            relationship=relationship,
            resource=resource,
            detail=detail or {},
        )
        for patient_id in patient_ids
    ]
    try:
        AuditEvent.objects.bulk_create(rows)
    except DatabaseError as exc:
        logger.error("audit write failed: %s", type(exc).__name__)
        raise AuditUnavailable from exc
    return len(rows)
