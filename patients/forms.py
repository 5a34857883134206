from typing import Any

from django import forms

from caremodel.models import Role
from patients.filters import AGE_BANDS
from patients.models import ConsentToShare, LongTermCondition, Patient


class NHSNumberLookupForm(forms.Form):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        help_text="10 digits, for example 943 476 5919. Spaces and dashes are fine.",
        error_messages={"required": "Enter an NHS number."},
    )


class PatientSearchForm(forms.Form):
    """Only for rendering and carrying values: the rules live in patients.search and patients.filters."""

    q = forms.CharField(label="Name or NHS number", required=False, max_length=100)
    date_of_birth = forms.CharField(label="Date of birth (YYYY-MM-DD)", required=False, max_length=10)
    postcode = forms.CharField(label="Postcode", required=False, max_length=8)
    practice = forms.CharField(label="Practice", required=False)
    cluster = forms.CharField(label="Cluster", required=False)
    age_band = forms.ChoiceField(
        label="Age", required=False, choices=[("", "Any age")] + [(v, label) for v, label, _, _ in AGE_BANDS]
    )
    condition = forms.ChoiceField(
        label="Long-term condition", required=False, choices=[("", "Any"), *LongTermCondition.choices]
    )
    care_home = forms.ChoiceField(
        label="Care home",
        required=False,
        choices=[("", "Any"), ("true", "Lives in a care home"), ("false", "Does not")],
    )

    FIELDS = ("q", "date_of_birth", "postcode", "practice", "cluster", "age_band", "condition", "care_home")

    def filters(self) -> dict[str, str]:
        return {name: str(self.data.get(name, "")).strip() for name in self.FIELDS if self.data.get(name)}


IMPORT_KINDS = (("gp_extract", "GP registration extract"), ("activity", "Activity feed (hospital / SUS extract)"))
MAX_UPLOAD_BYTES = 200 * 1024 * 1024


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file is", choices=IMPORT_KINDS, widget=forms.RadioSelect)
    file = forms.FileField(label="CSV file (UTF-8)")
    strict = forms.BooleanField(label="Apply nothing if any row is rejected", required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("The file is larger than 200 MB; split it or use the import command.")
        if not upload.name.lower().endswith((".csv", ".txt")):
            raise forms.ValidationError("Upload a .csv file.")
        return upload


class MergeForm(forms.Form):
    keep = forms.UUIDField()
    remove = forms.UUIDField()


YES_NO = (("yes", "Yes"), ("no", "No"))
YES_NO_UNKNOWN = (("yes", "Yes"), ("no", "No"), ("unknown", "Not known"))
_BOOL = {"yes": True, "no": False, "unknown": None}
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"]


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("yes" if value else "no")


class RegistersForm(forms.Form):
    """Living situation and contacts. Carries the version the user loaded, so a change made by
    someone else in the meantime is refused by the service rather than overwritten."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
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
        max_length=50,
        error_messages={"max_length": "The preferred language must be 50 characters or fewer."},
    )
    communication_needs = forms.CharField(
        label="Communication needs",
        required=False,
        max_length=255,
        error_messages={"max_length": "Communication needs must be 255 characters or fewer."},
    )

    SERVICE_FIELDS = (
        "lives_alone",
        "housebound",
        "accountable_gp",
        "key_worker",
        "consent_to_share",
        "interpreter_needed",
        "preferred_language",
        "communication_needs",
    )

    def __init__(self, *args: Any, staff: list[tuple[int, str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        current_gp = str(self.initial.get("accountable_gp") or "")
        self.fields["accountable_gp"].choices = [("", "None named")] + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name, role in staff if role == Role.GP or str(pk) == current_gp
        ]
        self.fields["key_worker"].choices = [("", "None named")] + [  # type: ignore[attr-defined]
            (str(pk), name) for pk, name, _ in staff
        ]

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
    onset_date = forms.DateField(
        label="Onset date",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 15/03/2019. Leave blank if not known.",
        error_messages={"invalid": "Enter the onset date as a real date, for example 15/03/2019."},
    )

    def __init__(self, *args: Any, codes: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].choices = [("", "Choose a condition"), *codes]  # type: ignore[attr-defined]


class CarerForm(forms.Form):
    carer_name = forms.CharField(
        label="Carer's name",
        max_length=200,
        error_messages={
            "required": "Enter the carer's name.",
            "max_length": "The carer's name must be 200 characters or fewer.",
        },
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
    since = forms.DateField(
        label="Caring since",
        required=False,
        input_formats=DATE_FORMATS,
        help_text="For example, 15/03/2019. Leave blank if not known.",
        error_messages={"invalid": "Enter the date caring began as a real date, for example 15/03/2019."},
    )
