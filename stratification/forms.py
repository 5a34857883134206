"""The risk list's filters: validated like any input, so a bad value gets a message, never a 500."""

from django import forms

from caremodel.input_limits import MAX_ID, MAX_PAGE
from stratification.models import Band, FrailtyCategory
from stratification.selectors.risk_list import SORTS

SORT_LABELS = {"rank": "Highest risk first", "age": "Oldest first", "frailty": "Most frail first", "name": "Name"}


class RiskListFilterForm(forms.Form):
    practice = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    cluster = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    band = forms.ChoiceField(required=False, choices=[("", "Any band"), *Band.choices])
    frailty = forms.ChoiceField(required=False, choices=[("", "Any frailty"), *FrailtyCategory.choices])
    care_home = forms.ChoiceField(
        required=False, choices=[("", "Anywhere"), ("yes", "In a care home"), ("no", "Not in a care home")]
    )
    age_min = forms.IntegerField(required=False, min_value=0, max_value=130, label="Aged from")
    age_max = forms.IntegerField(required=False, min_value=0, max_value=130, label="Aged up to")
    sort = forms.ChoiceField(required=False, choices=[(key, SORT_LABELS[key]) for key in SORTS])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        low, high = data.get("age_min"), data.get("age_max")
        if low is not None and high is not None and low > high:
            self.add_error("age_max", "'Aged up to' must be the same as or more than 'Aged from'.")
        return data
