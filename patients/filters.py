"""The filters of the patient list, shared by the page and the API (used inside the selector)."""

from datetime import date

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from caremodel.input_limits import MAX_ID
from caremodel.models import Organisation, OrganisationKind
from patients.models import CareHomeResidence, LongTermCondition, Patient, PatientCondition
from patients.search_keys import postcode_key

# (value, label, youngest, oldest) in whole years.
AGE_BANDS: tuple[tuple[str, str, int, int | None], ...] = (
    ("0-64", "Under 65", 0, 64),
    ("65-74", "65 to 74", 65, 74),
    ("75-84", "75 to 84", 75, 84),
    ("85+", "85 and over", 85, None),
)


def _years_before(today: date, years: int) -> date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


class IntegerFilter(django_filters.NumberFilter):
    """A whole number (NumberFilter takes decimals), bounded by the caller's min_value and max_value."""

    field_class = forms.IntegerField


def _unchanged(queryset: QuerySet[Patient], name: str, value: str) -> QuerySet[Patient]:
    return queryset


class PatientFilter(django_filters.FilterSet):
    # The name and NHS-number searches are run by patients.search; declared here for their bounds,
    # so the page and the API refuse an over-long value by name before any query runs.
    q = django_filters.CharFilter(method=_unchanged, max_length=100, label="Name or NHS number")
    nhs_number = django_filters.CharFilter(method=_unchanged, max_length=20, label="NHS number")
    practice = django_filters.CharFilter(method="filter_practice", max_length=12, label="Practice ODS code")
    cluster = IntegerFilter(
        field_name="registered_practice__cluster_id", min_value=1, max_value=MAX_ID, label="Cluster"
    )
    age_band = django_filters.ChoiceFilter(
        choices=[(value, label) for value, label, _, _ in AGE_BANDS], method="filter_age_band", label="Age band"
    )
    condition = django_filters.ChoiceFilter(
        choices=LongTermCondition.choices, method="filter_condition", label="Long-term condition"
    )
    care_home = django_filters.BooleanFilter(method="filter_care_home", label="Lives in a care home")
    date_of_birth = django_filters.DateFilter(field_name="date_of_birth", label="Date of birth")
    postcode = django_filters.CharFilter(method="filter_postcode", max_length=8, label="Postcode")

    class Meta:
        model = Patient
        fields: list[str] = []

    def filter_practice(self, queryset: QuerySet[Patient], name: str, value: str) -> QuerySet[Patient]:
        """Resolved to the practice id first, so the (practice, name) index pages the list in order."""
        practice_id = (
            Organisation.objects.filter(ods_code=value.strip().upper(), kind=OrganisationKind.GP_PRACTICE)
            .values_list("pk", flat=True)
            .first()
        )
        return queryset.filter(registered_practice_id=practice_id) if practice_id else queryset.none()

    def filter_age_band(self, queryset: QuerySet[Patient], name: str, value: str) -> QuerySet[Patient]:
        """Ages become date-of-birth ranges so the index on date_of_birth serves them."""
        today = timezone.localdate()
        for band, _, youngest, oldest in AGE_BANDS:
            if band == value:
                queryset = queryset.filter(date_of_birth__lte=_years_before(today, youngest))
                if oldest is not None:
                    queryset = queryset.filter(date_of_birth__gt=_years_before(today, oldest + 1))
        return queryset

    def filter_condition(self, queryset: QuerySet[Patient], name: str, value: str) -> QuerySet[Patient]:
        on_register = PatientCondition.objects.filter(
            patient=OuterRef("pk"), code__long_term_condition=value, resolved_date__isnull=True
        )
        return queryset.filter(Exists(on_register))

    def filter_care_home(self, queryset: QuerySet[Patient], name: str, value: bool | None) -> QuerySet[Patient]:
        if value is None:
            return queryset
        resident = Exists(CareHomeResidence.objects.filter(patient=OuterRef("pk"), until__isnull=True))
        return queryset.filter(resident if value else ~Q(resident))

    def filter_postcode(self, queryset: QuerySet[Patient], name: str, value: str) -> QuerySet[Patient]:
        key = postcode_key(value)
        return queryset.filter(postcode__startswith=key) if key else queryset
