"""Search, lookup, import and merge forms. The record's edit forms are in patients.forms_record."""

from django import forms

from caremodel.input_limits import MAX_ID
from patients.filters import AGE_BANDS
from patients.models import LongTermCondition


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
    practice = forms.CharField(label="Practice", required=False, max_length=12)
    cluster = forms.IntegerField(label="Cluster", required=False, min_value=1, max_value=MAX_ID)
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
