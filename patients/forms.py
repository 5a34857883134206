"""Search, lookup, import and merge forms. The record's edit forms are in patients.forms_record."""

from django import forms

from caremodel.input_limits import MAX_ID
from patients.filters import AGE_BANDS
from patients.models import ImportKind, LongTermCondition


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

    def choices_of(self, name: str) -> list[tuple[str, str]]:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - the select fields above
        return [(str(value), str(label)) for value, label in list(field.choices)]  # type: ignore[arg-type]

    def filters(self) -> dict[str, str]:
        return {name: str(self.data.get(name, "")).strip() for name in self.FIELDS if self.data.get(name)}


class ImportUploadForm(forms.Form):
    """The upload's rules (size, name) are patients.services.imports.import_upload_fault, asked again
    by the service; the form shows them against the field."""

    kind = forms.ChoiceField(label="What the file is", choices=ImportKind.choices, widget=forms.RadioSelect)
    file = forms.FileField(label="CSV file (UTF-8)")
    strict = forms.BooleanField(label="Apply nothing if any row is rejected", required=False)


class MergeForm(forms.Form):
    keep = forms.UUIDField()
    remove = forms.UUIDField()
