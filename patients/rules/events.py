"""The rules of an activity event.

Every entry point asks these functions: the record's event form, the events API, the services
that store an event and the activity import. The import checks a feed column by column and asks
`event_detail_faults` once per distinct combination of kind and details, so a million rows cost
a dictionary lookup each. Faults are keyed by the event's field names; the import reports them
against its own column names (IMPORT_COLUMNS).
"""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from caremodel.models import Organisation, OrganisationKind
from patients.models import DischargeDestination, EventKind

MAX_STAY_DAYS = 3650
SOURCE_SYSTEM_LENGTH = 32
SOURCE_ID_LENGTH = 64
ADMISSION_KINDS = frozenset({EventKind.EMERGENCY_ADMISSION, EventKind.ELECTIVE_ADMISSION})
PROVIDER_KINDS = frozenset(
    {
        OrganisationKind.ACUTE_TRUST,
        OrganisationKind.COMMUNITY_PROVIDER,
        OrganisationKind.MENTAL_HEALTH,
        OrganisationKind.SOCIAL_CARE,
        OrganisationKind.VOLUNTARY_SECTOR,
        OrganisationKind.CARE_HOME,
    }
)
# The import's column for each field of an event.
IMPORT_COLUMNS = {
    "kind": "event_type",
    "event_date": "event_date",
    "provider": "provider_code",
    "source_id": "source_id",
    "length_of_stay_days": "length_of_stay",
    "discharge_destination": "discharge_destination",
    "with_fracture": "with_fracture",
}

KIND_UNKNOWN = "Choose what happened from the list."
DATE_IN_FUTURE = "The event date cannot be in the future."
DATE_BEFORE_BIRTH = "The event date cannot be before the date of birth."
STAY_NEGATIVE = "Length of stay cannot be negative."
STAY_TOO_LONG = f"Length of stay must be {MAX_STAY_DAYS:,} days or fewer."
STAY_NOT_ADMISSION = "Only an admission has a length of stay."
DESTINATION_UNKNOWN = "Choose where the patient was discharged to from the list."
DESTINATION_NOT_DISCHARGE = "Only a discharge has a destination."
DESTINATION_MISSING = "Say where the patient was discharged to."
FRACTURE_NOT_FALL = "Only a fall is recorded with or without a fracture."
FRACTURE_MISSING = "Say whether the fall was with or without a fracture."
PROVIDER_NOT_A_PROVIDER = "Choose a hospital, community, mental health, social care, voluntary or care home provider."
SOURCE_MISSING = "Give the source system and its identifier of the event."
SOURCE_TOO_LONG = (
    f"The source system must be {SOURCE_SYSTEM_LENGTH} characters or fewer "
    f"and its identifier {SOURCE_ID_LENGTH} or fewer."
)


@dataclass(frozen=True)
class EventInput:
    """An event as every entry point hands it to the services, the provider already resolved."""

    kind: str
    event_date: date
    source_system: str
    source_id: str
    provider: Organisation | None = None
    length_of_stay_days: int | None = None
    discharge_destination: str = ""
    with_fracture: bool | None = None


@lru_cache(maxsize=4096)
def event_detail_faults(
    kind: str, length_of_stay_days: int | None, discharge_destination: str, with_fracture: bool | None
) -> tuple[tuple[str, str], ...]:
    """The kind, and the details that belong to some kinds only: (field, message) pairs, in field order."""
    faults: list[tuple[str, str]] = []
    if kind not in EventKind.values:
        faults.append(("kind", KIND_UNKNOWN))
    if length_of_stay_days is not None:
        if length_of_stay_days < 0:
            faults.append(("length_of_stay_days", STAY_NEGATIVE))
        elif length_of_stay_days > MAX_STAY_DAYS:
            faults.append(("length_of_stay_days", STAY_TOO_LONG))
        elif kind not in ADMISSION_KINDS:
            faults.append(("length_of_stay_days", STAY_NOT_ADMISSION))
    if discharge_destination:
        if discharge_destination not in DischargeDestination.values:
            faults.append(("discharge_destination", DESTINATION_UNKNOWN))
        elif kind != EventKind.DISCHARGE:
            faults.append(("discharge_destination", DESTINATION_NOT_DISCHARGE))
    elif kind == EventKind.DISCHARGE:
        faults.append(("discharge_destination", DESTINATION_MISSING))
    if with_fracture is not None and kind != EventKind.FALL:
        faults.append(("with_fracture", FRACTURE_NOT_FALL))
    elif with_fracture is None and kind == EventKind.FALL:
        faults.append(("with_fracture", FRACTURE_MISSING))
    return tuple(faults)


def event_date_fault(*, event_date: date, date_of_birth: date | None, today: date) -> str | None:
    if event_date > today:
        return DATE_IN_FUTURE
    if date_of_birth is not None and event_date < date_of_birth:
        return DATE_BEFORE_BIRTH
    return None


def provider_fault(provider_kind: str | None) -> str | None:
    """A provider, when named, is an organisation that provides care (not a practice or commissioner)."""
    if provider_kind is not None and provider_kind not in PROVIDER_KINDS:
        return PROVIDER_NOT_A_PROVIDER
    return None


def source_fault(*, source_system: str, source_id: str) -> str | None:
    if not source_system.strip() or not source_id.strip():
        return SOURCE_MISSING
    if len(source_system) > SOURCE_SYSTEM_LENGTH or len(source_id) > SOURCE_ID_LENGTH:
        return SOURCE_TOO_LONG
    return None


def event_faults(*, data: EventInput, date_of_birth: date | None, today: date) -> dict[str, str]:
    """Every rule of an event: {field: message}, empty when the event may be stored."""
    faults = dict(
        event_detail_faults(data.kind, data.length_of_stay_days, data.discharge_destination, data.with_fracture)
    )
    date_fault = event_date_fault(event_date=data.event_date, date_of_birth=date_of_birth, today=today)
    if date_fault:
        faults["event_date"] = date_fault
    if fault := provider_fault(data.provider.kind if data.provider is not None else None):
        faults["provider"] = fault
    if fault := source_fault(source_system=data.source_system, source_id=data.source_id):
        faults["source_id"] = fault
    return faults
