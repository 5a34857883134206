"""Turn a Patient into what the page shows, so templates stay free of rules."""

from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from uuid import UUID

from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from caremodel.models import User
from patients.ages import age_on
from patients.models import ActivityEvent, CareHomeResidence, CarerRelationship, Patient, PatientCondition


class PatientPresenter:
    def __init__(self, patient: Patient) -> None:
        self.patient = patient

    def __getattr__(self, name: str) -> object:
        return getattr(self.patient, name)

    @property
    def nhs_number_display(self) -> str:
        n = self.patient.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"

    @property
    def age(self) -> int:
        end = self.patient.date_of_death or timezone.localdate()
        return age_on(self.patient.date_of_birth, end)

    @property
    def date_of_birth_display(self) -> str:
        return f"{self.patient.date_of_birth.strftime('%-d %B %Y')} ({self.age} years)"

    @property
    def practice_display(self) -> str:
        practice = self.patient.registered_practice
        return f"{practice.name} ({practice.ods_code})" if practice else "Not registered with a GP practice"

    @property
    def is_deceased(self) -> bool:
        return self.patient.date_of_death is not None

    @staticmethod
    def event_details(event: ActivityEvent) -> str:
        """The timeline's details column: length of stay, destination, fracture, and who recorded it."""
        parts = []
        if event.length_of_stay_days is not None:
            parts.append(f"{event.length_of_stay_days} day{'' if event.length_of_stay_days == 1 else 's'} in hospital")
        if event.discharge_destination:
            parts.append(f"to {event.get_discharge_destination_display().lower()}")
        if event.with_fracture is not None:
            parts.append("with a fracture" if event.with_fracture else "without a fracture")
        if event.source_system == "manual":
            parts.append("entered by hand")
        text = ", ".join(parts)
        return text[:1].upper() + text[1:]

    @property
    def choice_label(self) -> str:
        """How a patient is told apart when chosen from search results (a carer, a merge candidate)."""
        practice = self.patient.registered_practice
        parts: list[str] = [str(self.display_name), f"born {self.patient.date_of_birth.strftime('%-d %B %Y')}"]
        parts.append(f"NHS number {self.nhs_number_display}")
        if practice is not None:
            parts.append(practice.name)
        return ", ".join(parts)


class PatientRecordPresenter(PatientPresenter):
    """The whole record page: registers, carers and the timeline, read after the record was opened."""

    def __init__(
        self,
        patient: Patient,
        *,
        conditions: list[PatientCondition],
        care_home_stays: list[CareHomeResidence],
        carers: list["CarerContact"],
        events: list[ActivityEvent],
    ) -> None:
        super().__init__(patient)
        self.conditions = conditions
        self.care_home_stays = care_home_stays
        self.carers = carers
        self.events = events

    @property
    def active_conditions(self) -> list[PatientCondition]:
        return [c for c in self.conditions if c.resolved_date is None]

    @property
    def resolved_conditions(self) -> list[PatientCondition]:
        return [c for c in self.conditions if c.resolved_date is not None]

    @property
    def current_care_home(self) -> CareHomeResidence | None:
        return next((stay for stay in self.care_home_stays if stay.until is None), None)

    @property
    def lives_alone_display(self) -> str:
        return {True: "Yes", False: "No", None: "Not recorded"}[self.patient.lives_alone]

    @property
    def consent_display(self) -> str:
        text = self.patient.get_consent_to_share_display()
        if self.patient.consent_recorded_at:
            by = self.patient.consent_recorded_by
            when = timezone.localtime(self.patient.consent_recorded_at).strftime("%-d %B %Y")
            text += f" (recorded {when}" + (f" by {by.get_full_name() or by.username})" if by else ")")
        return text

    @property
    def communication_display(self) -> str:
        parts = []
        if self.patient.interpreter_needed:
            parts.append(f"Interpreter needed ({self.patient.preferred_language or 'language not recorded'})")
        elif self.patient.preferred_language:
            parts.append(f"Preferred language: {self.patient.preferred_language}")
        if self.patient.communication_needs:
            parts.append(self.patient.communication_needs)
        return "; ".join(parts) or "None recorded"

    @staticmethod
    def staff_display(user: User | None) -> str:
        return (user.get_full_name() or user.username) if user else "Not named"


_PLACEHOLDER = UUID(int=0)


@lru_cache(maxsize=1)
def _record_url_template() -> str:
    return reverse("patients:detail", args=[_PLACEHOLDER])


def record_url(patient: Patient) -> str:
    """The record page's address; one reverse() per process rather than one per row of a list."""
    return _record_url_template().replace(str(_PLACEHOLDER), str(patient.public_id))


def list_row(patient: Patient, *, today: date) -> dict[str, object]:
    """One row of the patient list: the cells of the table, the name a link to the record.
    `today` is passed in so a page of 50 rows asks for the date once."""
    practice = patient.registered_practice
    born = patient.date_of_birth
    age = age_on(born, patient.date_of_death or today)
    nhs = patient.nhs_number
    cells = [
        {"html": format_html('<a href="{}">{}</a>', record_url(patient), patient.display_name)},
        {"text": f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"},
        {"text": f"{born.day} {born.strftime('%B %Y')} ({age} years)"},
        {"text": patient.postcode},
        {"text": practice.name if practice else ""},
    ]
    return {"name": patient.display_name, "cells": cells}


@dataclass(frozen=True)
class PersonShown:
    """Another patient as one record may show them (docs/adr/0015): always by name, as a contact; their
    record's link (and what only their record holds) only when the viewer may see them."""

    name: str
    record_url: str = ""
    public_id: UUID | None = None

    @property
    def may_open(self) -> bool:
        return bool(self.record_url)


@dataclass(frozen=True)
class CarerContact:
    """A carer on the cared-for person's record: who, how related, how to reach them."""

    id: int
    carer: PersonShown
    is_patient: bool
    relationship: str
    is_main_carer: bool
    availability: str
    contact_phone: str
    since: date | None
    until: date | None


def person_shown(patient: Patient, *, visible: set[int]) -> PersonShown:
    if patient.pk in visible:
        return PersonShown(name=patient.display_name, record_url=record_url(patient), public_id=patient.public_id)
    return PersonShown(name=patient.display_name)


def carer_contact(row: CarerRelationship, *, visible: set[int]) -> CarerContact:
    carer = row.carer_patient
    return CarerContact(
        id=row.pk,
        carer=person_shown(carer, visible=visible) if carer is not None else PersonShown(name=row.carer_name),
        is_patient=carer is not None,
        relationship=row.relationship,
        is_main_carer=row.is_main_carer,
        availability=row.availability,
        contact_phone=row.contact_phone,
        since=row.since,
        until=row.until,
    )


@dataclass(frozen=True)
class RegisterRow:
    """A row of a practice's carers register; `cares_for` is None when the viewer has no care
    relationship with the person cared for (they are then not shown at all)."""

    contact: CarerContact
    cares_for: PersonShown | None
