"""Storing activity events from the record page and the API. A feed sent twice is stored once:
the unique (source_system, source_id) decides, so a retry or a concurrent duplicate never adds a row.
The rules are patients.rules.events, the same the activity import applies."""

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caremodel.audit import audit_record
from caremodel.exceptions import ConflictError
from caremodel.models import AuditAction, AuditOutcome, Organisation, User
from caremodel.services.idempotency import IdempotentOutcome, idempotent_call
from patients.models import ActivityEvent, Patient
from patients.rules.events import EventInput, event_faults
from patients.services.patient import patient_for_write, patient_open_for_update

MANUAL_SOURCE = "manual"


class EventSourceConflict(ConflictError):
    """The (source_system, source_id) is already used by an event of another patient or kind."""


def event_record(*, user: User, patient: Patient, data: EventInput) -> tuple[ActivityEvent, bool]:
    """Store an event once; the same (source_system, source_id) again returns the stored one."""
    patient_open_for_update(user=user, patient=patient)
    faults = event_faults(data=data, date_of_birth=patient.date_of_birth, today=timezone.localdate())
    if faults:
        raise ValidationError(faults)
    with transaction.atomic():
        try:
            with transaction.atomic():
                event = ActivityEvent.objects.create(patient=patient, **data.__dict__)
            created = True
        except IntegrityError:
            event = ActivityEvent.objects.get(source_system=data.source_system, source_id=data.source_id)
            created = False
            if event.patient_id != patient.pk or event.kind != data.kind:
                raise EventSourceConflict(
                    "An event with this source system and id was already recorded for another patient or kind."
                ) from None
        if created:
            audit_record(
                user=user,
                action=AuditAction.CREATE,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient.pk,
                resource="activity_event",
                detail={"kind": data.kind, "source_system": data.source_system},
            )
    return event, created


def event_record_manual(
    *,
    user: User,
    patient: Patient,
    kind: str,
    event_date: date,
    provider: Organisation | None = None,
    length_of_stay_days: int | None = None,
    discharge_destination: str = "",
    with_fracture: bool | None = None,
) -> ActivityEvent:
    """An event a member of staff records by hand on the record. It gets its own source id
    (source system "manual", a random UUID), so it can never collide with a feed's event."""
    data = EventInput(
        kind=kind,
        event_date=event_date,
        source_system=MANUAL_SOURCE,
        source_id=uuid.uuid4().hex,
        provider=provider,
        length_of_stay_days=length_of_stay_days,
        discharge_destination=discharge_destination,
        with_fracture=with_fracture,
    )
    event, _ = event_record(user=user, patient=patient, data=data)
    return event


def event_intake(
    *,
    user: User,
    public_id: UUID,
    data: EventInput,
    idempotency_key: str,
    payload: Any,
    render: Callable[[ActivityEvent], Any],
) -> IdempotentOutcome:
    """An event sent by another system. With an Idempotency-Key, a retry with the same body replays the
    first answer (after the same access check and audit as a first request), another body is refused."""

    def authorise() -> Patient:
        return patient_for_write(user=user, public_id=public_id)

    def perform(patient: Patient) -> tuple[int, Any]:
        event, created = event_record(user=user, patient=patient, data=data)
        return (201 if created else 200), render(event)

    return idempotent_call(
        user=user,
        scope=f"events:{public_id}",
        key=idempotency_key,
        payload=payload,
        authorise=authorise,
        perform=perform,
        resource="activity_event",
    )
