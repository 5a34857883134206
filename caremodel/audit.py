"""Writing the audit trail: called explicitly from services, never from signals (docs/adr/0003)."""

import json
import logging
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import DatabaseError, connection
from django.utils import timezone

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
    relationships: Mapping[int, str] | None = None,
    resource: str = "patient",
    detail: dict[str, Any] | None = None,
) -> int:
    """One row per patient that appeared in a list, search or export (allowed outcome), each with the
    care relationship that let the user see them (`relationships`, or one `relationship` for all)."""
    fields = _base_fields(user)
    ids = list(patient_ids)
    names = [relationships.get(pk, relationship) if relationships else relationship for pk in ids]
    if connection.vendor == "postgresql":
        return _insert_many_postgres(
            fields=fields,
            patient_ids=ids,
            relationships=names,
            action=action,
            resource=resource,
            detail=detail or {},
        )
    rows = [
        AuditEvent(
            **fields,
            patient_id=patient_id,
            action=action,
            outcome=AuditOutcome.ALLOWED,
            relationship=name,
            resource=resource,
            detail=detail or {},
        )
        for patient_id, name in zip(ids, names, strict=True)
    ]
    try:
        AuditEvent.objects.bulk_create(rows)
    except DatabaseError as exc:
        logger.error("audit write failed: %s", type(exc).__name__)
        raise AuditUnavailable from exc
    return len(rows)


_INSERT_MANY = f"""
    INSERT INTO {AuditEvent._meta.db_table} (occurred_at, user_id, username, role, organisation_id, patient_id,
        action, outcome, relationship, resource, source, client_ip, detail)
    SELECT %s, %s, %s, %s, %s, listed.patient_id, %s, %s, listed.relationship, %s, %s, %s::inet, %s::jsonb
    FROM unnest(%s::bigint[], %s::text[]) AS listed(patient_id, relationship)
"""  # noqa: S608 - the table name is the model's own; values are parameters


def _insert_many_postgres(
    *,
    fields: dict[str, Any],
    patient_ids: list[int],
    relationships: list[str],
    action: AuditAction,
    resource: str,
    detail: dict[str, Any],
) -> int:
    """One statement with the patient ids as an array: a page of 50 rows costs under a millisecond,
    where building and binding 50 model instances cost about seven (measured on the list page)."""
    if not patient_ids:
        return 0
    values = [
        timezone.now(),
        fields.get("user_id"),
        fields.get("username", ""),
        fields.get("role", ""),
        fields.get("organisation_id"),
        action.value,
        AuditOutcome.ALLOWED.value,
        resource,
        fields["source"],
        fields["client_ip"],
        json.dumps(detail),
        patient_ids,
        relationships,
    ]
    try:
        with connection.cursor() as cursor:
            cursor.execute(_INSERT_MANY, values)
    except DatabaseError as exc:
        logger.error("audit write failed: %s", type(exc).__name__)
        raise AuditUnavailable from exc
    return len(patient_ids)
