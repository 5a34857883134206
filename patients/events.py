"""Activity events from forms and the API. A feed sent twice is stored once: the unique
(source_system, source_id) decides, so a retry or a concurrent duplicate never adds a row."""

import uuid
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, Organisation, OrganisationKind, User
from patients.models import ActivityEvent, DischargeDestination, EventKind, Patient
from patients.services import patient_open_for_update


class EventSourceConflict(Exception):
    """The (source_system, source_id) is already used by an event of another patient or kind."""


@dataclass(frozen=True)
class EventInput:
    kind: str
    event_date: date
    source_system: str
    source_id: str
    provider: Organisation | None = None
    length_of_stay_days: int | None = None
    discharge_destination: str = ""
    with_fracture: bool | None = None


def event_validate(*, patient: Patient, data: EventInput) -> None:
    """The rules every entry point shares (form, API and imports use the same messages)."""
    errors: dict[str, str] = {}
    if data.kind not in EventKind.values:
        errors["kind"] = f"Choose one of: {', '.join(EventKind.values)}."
    if data.event_date > timezone.localdate():
        errors["event_date"] = "The event date cannot be in the future."
    elif data.event_date < patient.date_of_birth:
        errors["event_date"] = "The event date cannot be before the date of birth."
    if data.discharge_destination:
        if data.discharge_destination not in DischargeDestination.values:
            errors["discharge_destination"] = f"Choose one of: {', '.join(DischargeDestination.values)}."
        elif data.kind != EventKind.DISCHARGE:
            errors["discharge_destination"] = "Only a discharge has a destination."
    if data.length_of_stay_days is not None and data.length_of_stay_days < 0:
        errors["length_of_stay_days"] = "Length of stay cannot be negative."
    if not data.source_system.strip() or not data.source_id.strip():
        errors["source_id"] = "Give the source system and its identifier of the event."
    if errors:
        raise ValidationError(errors)


def event_record(*, user: User, patient: Patient, data: EventInput) -> tuple[ActivityEvent, bool]:
    """Store an event once; the same (source_system, source_id) again returns the stored one."""
    event_validate(patient=patient, data=data)
    patient_open_for_update(user=user, patient=patient)
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


def events_timeline(*, patient: Patient, limit: int = 200) -> list[ActivityEvent]:
    """Newest first; the caller has already opened (and audited) the record."""
    return list(
        ActivityEvent.objects.filter(patient=patient).select_related("provider").order_by("-event_date", "-id")[:limit]
    )


MANUAL_SOURCE = "manual"
ADMISSION_KINDS = frozenset({EventKind.EMERGENCY_ADMISSION, EventKind.ELECTIVE_ADMISSION})
PROVIDER_KINDS = (
    OrganisationKind.ACUTE_TRUST,
    OrganisationKind.COMMUNITY_PROVIDER,
    OrganisationKind.MENTAL_HEALTH,
    OrganisationKind.SOCIAL_CARE,
    OrganisationKind.VOLUNTARY_SECTOR,
    OrganisationKind.CARE_HOME,
)


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
    # Access first, outside the transaction, so that a refusal's audit entry is not rolled back with it.
    patient_open_for_update(user=user, patient=patient)
    errors: dict[str, str] = {}
    if length_of_stay_days is not None and kind not in ADMISSION_KINDS:
        errors["length_of_stay_days"] = "Only an admission has a length of stay."
    if kind == EventKind.DISCHARGE and not discharge_destination:
        errors["discharge_destination"] = "Say where the patient was discharged to."
    if with_fracture is not None and kind != EventKind.FALL:
        errors["with_fracture"] = "Only a fall is recorded with or without a fracture."
    if provider is not None and provider.kind not in PROVIDER_KINDS:
        errors["provider"] = "Choose a hospital, community, mental health, social care or voluntary provider."
    if errors:
        raise ValidationError(errors)
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
