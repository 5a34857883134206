from django import forms


class NHSNumberLookupForm(forms.Form):
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        help_text="10 digits, for example 943 476 5919. Spaces and dashes are fine.",
        error_messages={"required": "Enter an NHS number."},
    )
