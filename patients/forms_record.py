"""The record's edit forms: living situation and contacts, conditions, carers, activity events."""

from datetime import date
from typing import Any

from django import forms
from django.forms.utils import ErrorDict
from django.utils import timezone

from caremodel.input_limits import MAX_INT
from caremodel.models import Organisation, Role
from patients.forms_dates import NHSDateField
from patients.models import ConsentToShare, DischargeDestination, EventKind, Patient
from patients.rules import events as rules
from patients.rules.registers import REGISTER_FIELDS, TEXT_LIMITS, text_too_long
from patients.selectors.staff import StaffChoice

YES_NO = (("yes", "Yes"), ("no", "No"))
YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "Not known"))
_BOOL = {"yes": True, "no": False, "unknown": None}


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


class RegistersForm(forms.Form):
    """Living situation and contacts. Carries the version the user loaded, so a change made by
    someone else in the meantime is refused by the service rather than overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=MAX_INT)
    lives_alone = forms.ChoiceField(
        label="Lives alone", choices=YES_NO_UNKNOWN, error_messages={"required": "Say whether the patient lives alone."}
    )
    housebound = forms.ChoiceField(
        label="Housebound", choices=YES_NO, error_messages={"required": "Say whether the patient is housebound."}
    )
    accountable_gp = forms.ChoiceField(label="Accountable GP", required=False)
    key_worker = forms.ChoiceField(label="Key worker", required=False)
    consent_to_share = forms.ChoiceField(
        label="Consent to share",
        choices=ConsentToShare.choices,
        error_messages={"required": "Say whether the patient consents to sharing their record."},
    )
    interpreter_needed = forms.ChoiceField(
        label="Interpreter needed",
        choices=YES_NO,
        error_messages={"required": "Say whether an interpreter is needed."},
    )
    preferred_language = forms.CharField(
        label="Preferred language",
        required=False,
        max_length=TEXT_LIMITS["preferred_language"],
        error_messages={"max_length": str(text_too_long("preferred_language", "x" * 1000))},
    )
    communication_needs = forms.CharField(
        label="Communication needs",
        required=False,
        max_length=TEXT_LIMITS["communication_needs"],
        error_messages={"max_length": str(text_too_long("communication_needs", "x" * 1000))},
    )

    SERVICE_FIELDS = REGISTER_FIELDS

    def __init__(self, *args: Any, staff: list[StaffChoice], **kwargs: Any) -> None:
        """`staff` comes from patients.selectors.staff.staff_choices: those a team covering the practice has,
        and whoever is named now (kept, so that leaving them unchanged stays valid)."""
        super().__init__(*args, **kwargs)
        current_gp = str(self.initial.get("accountable_gp") or "")
        current_worker = str(self.initial.get("key_worker") or "")
        self.fields["accountable_gp"].choices = [("", "None named")] + [  # type: ignore[attr-defined]
            (str(s.pk), s.name) for s in staff if (s.eligible and s.role == Role.GP) or str(s.pk) == current_gp
        ]
        self.fields["key_worker"].choices = [("", "None named")] + [  # type: ignore[attr-defined]
            (str(s.pk), s.name) for s in staff if s.eligible or str(s.pk) == current_worker
        ]
        self.fields["accountable_gp"].error_messages["invalid_choice"] = (
            "Accountable GP must be an active GP in a team that covers the patient's practice."
        )
        self.fields["key_worker"].error_messages["invalid_choice"] = (
            "Key worker must be active clinical staff in a team that covers the patient's practice."
        )

    @staticmethod
    def initial_for(patient: Patient) -> dict[str, object]:
        return {
            "version": patient.version,
            "lives_alone": _yes_no(patient.lives_alone),
            "housebound": _yes_no(patient.housebound),
            "accountable_gp": str(patient.accountable_gp_id or ""),
            "key_worker": str(patient.key_worker_id or ""),
            "consent_to_share": patient.consent_to_share,
            "interpreter_needed": _yes_no(patient.interpreter_needed),
            "preferred_language": patient.preferred_language,
            "communication_needs": patient.communication_needs,
        }

    def changes(self) -> dict[str, object]:
        """The register fields the user changed, as the registers service takes them."""
        data = self.cleaned_data
        converted: dict[str, object] = {
            "lives_alone": _BOOL[data["lives_alone"]],
            "housebound": _BOOL[data["housebound"]],
            "accountable_gp": int(data["accountable_gp"]) if data["accountable_gp"] else None,
            "key_worker": int(data["key_worker"]) if data["key_worker"] else None,
            "consent_to_share": data["consent_to_share"],
            "interpreter_needed": _BOOL[data["interpreter_needed"]],
            "preferred_language": data["preferred_language"],
            "communication_needs": data["communication_needs"],
        }
        return {name: converted[name] for name in self.SERVICE_FIELDS if name in self.changed_data}


class ConditionForm(forms.Form):
    code = forms.ChoiceField(label="Condition", error_messages={"required": "Choose a condition from the list."})
    onset_date = NHSDateField(
        label="Onset date", required=False, help_text="For example, 15 3 2019. Leave blank if not known."
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "Choose a condition"), *codes]  # type: ignore[attr-defined]


class CarerForm(forms.Form):
    """A carer is either a patient the user may see (found by searching, then chosen) or a named
    person who is not a patient. The chosen patient's public id is resolved by the view through
    the access-scoped selector; the service checks the care relationship again."""

    KIND_PATIENT = "patient"
    KIND_PERSON = "person"

    carer_kind = forms.ChoiceField(
        label="Who is the carer?",
        choices=((KIND_PATIENT, "Someone who is a patient here"), (KIND_PERSON, "Someone who is not a patient here")),
        widget=forms.RadioSelect,
        error_messages={"required": "Say whether the carer is a patient here or not."},
    )
    carer_search = forms.CharField(
        label="Find the carer by name or NHS number",
        required=False,
        max_length=100,
        error_messages={"max_length": "The search must be 100 characters or fewer."},
    )
    carer_patient = forms.UUIDField(
        label="Choose the carer",
        required=False,
        error_messages={"invalid": "Choose the carer from the search results."},
    )
    carer_name = forms.CharField(
        label="Carer's name",
        required=False,
        max_length=200,
        error_messages={"max_length": "The carer's name must be 200 characters or fewer."},
    )
    relationship = forms.CharField(
        label="Relationship to the patient",
        max_length=100,
        help_text="For example, daughter or neighbour.",
        error_messages={
            "required": "Say how the carer is related, for example daughter or neighbour.",
            "max_length": "The relationship must be 100 characters or fewer.",
        },
    )
    is_main_carer = forms.BooleanField(label="This is the main carer", required=False)
    availability = forms.CharField(
        label="Availability",
        required=False,
        max_length=200,
        help_text="For example, weekday evenings.",
        error_messages={"max_length": "Availability must be 200 characters or fewer."},
    )
    contact_phone = forms.CharField(
        label="Contact phone number",
        required=False,
        max_length=30,
        error_messages={"max_length": "The phone number must be 30 characters or fewer."},
    )
    since = NHSDateField(
        label="Caring since", required=False, help_text="For example, 15 3 2019. Leave blank if not known."
    )

    SERVICE_FIELDS = ("relationship", "is_main_carer", "availability", "contact_phone", "since")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("carer_kind")
        if kind == self.KIND_PERSON and not (data.get("carer_name") or "").strip():
            self.add_error("carer_name", "Enter the carer's name.")
        if kind == self.KIND_PATIENT and not data.get("carer_patient") and "carer_patient" not in self.errors:
            self.add_error("carer_search", "Search for the carer by name or NHS number, then choose them.")
        return data

    def show_search_only(self) -> None:
        """After "Search": show the values as typed, with no errors but the search's own."""
        self._errors = ErrorDict()
        self.cleaned_data = {}

    def service_arguments(self) -> dict[str, Any]:
        """What carer_add takes, apart from the carer who is a patient (the view resolves that)."""
        data = self.cleaned_data
        arguments = {name: data[name] for name in self.SERVICE_FIELDS}
        if data["carer_kind"] == self.KIND_PERSON:
            arguments["carer_name"] = data["carer_name"]
        return arguments


class EventForm(forms.Form):
    """An activity event recorded by hand. The fields only parse what was typed; the rules are
    patients.rules.events, the same the API, the services and the activity import ask."""

    kind = forms.ChoiceField(label="What happened", error_messages={"required": "Choose what happened."})
    event_date = NHSDateField(label="Event date", help_text="For example, 15 3 2024.", past_only=False)
    provider = forms.ChoiceField(label="Provider (optional)", required=False)
    length_of_stay_days = forms.IntegerField(
        label="Length of stay in days (admissions)",
        required=False,
        error_messages={"invalid": "Length of stay must be a whole number of days, like 4."},
    )
    discharge_destination = forms.ChoiceField(
        label="Discharged to (discharges)",
        required=False,
        choices=[("", "Not a discharge"), *DischargeDestination.choices],
        error_messages={"invalid_choice": rules.DESTINATION_UNKNOWN},
    )
    with_fracture = forms.ChoiceField(
        label="Fracture (falls)",
        required=False,
        choices=(("", "Not a fall"), ("yes", "With a fracture"), ("no", "Without a fracture")),
        error_messages={"invalid_choice": rules.FRACTURE_MISSING},
    )

    def __init__(
        self, *args: Any, providers: list[Organisation], date_of_birth: date | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.providers = {str(p.pk): p for p in providers}
        self.date_of_birth = date_of_birth
        self.fields["kind"].choices = [("", "Choose what happened"), *EventKind.choices]  # type: ignore[attr-defined]
        self.fields["provider"].choices = [("", "Not recorded")] + [  # type: ignore[attr-defined]
            (pk, p.name) for pk, p in self.providers.items()
        ]
        self.fields["kind"].error_messages["invalid_choice"] = rules.KIND_UNKNOWN
        self.fields["provider"].error_messages["invalid_choice"] = "Choose the provider from the list."

    DETAILS = ("kind", "length_of_stay_days", "discharge_destination", "with_fracture")

    def clean(self) -> dict[str, Any]:
        """Every rule whose values parsed, so that all faults are shown at once."""
        data = super().clean() or {}
        faults: dict[str, str] = {}
        if data.get("event_date"):
            fault = rules.event_date_fault(
                event_date=data["event_date"], date_of_birth=self.date_of_birth, today=timezone.localdate()
            )
            if fault:
                faults["event_date"] = fault
        if data.get("kind") and not any(name in self.errors for name in self.DETAILS):
            event = self.event_input({"event_date": None, **data})
            faults.update(
                rules.event_detail_faults(
                    event.kind, event.length_of_stay_days, event.discharge_destination, event.with_fracture
                )
            )
        if data.get("provider") and (fault := rules.provider_fault(self.providers[data["provider"]].kind)):
            faults["provider"] = fault
        for field, message in faults.items():
            self.add_error(field, message)
        return data

    def event_input(self, data: dict[str, Any]) -> rules.EventInput:
        return rules.EventInput(
            kind=data["kind"],
            event_date=data["event_date"],
            source_system="manual",
            source_id="to be given",
            provider=self.providers.get(data.get("provider") or ""),
            length_of_stay_days=data.get("length_of_stay_days"),
            discharge_destination=data.get("discharge_destination") or "",
            with_fracture={"yes": True, "no": False}.get(data.get("with_fracture") or ""),
        )

    def service_arguments(self) -> dict[str, Any]:
        data = self.event_input(self.cleaned_data)
        return {
            "kind": data.kind,
            "event_date": data.event_date,
            "provider": data.provider,
            "length_of_stay_days": data.length_of_stay_days,
            "discharge_destination": data.discharge_destination,
            "with_fracture": data.with_fracture,
        }
