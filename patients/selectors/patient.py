"""Reading patients: always through the access policy's scope when it is for a user."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet

from caremodel.access import patient_access_policy
from caremodel.disclosure import suppress_count
from caremodel.models import User
from patients.models import CareHomeResidence, ClinicalCode, Patient, PatientCondition


def patient_scoped_queryset(*, user: User) -> QuerySet[Patient]:
    """The only door views and the API use to reach patients (enforced by scripts/lint_patient_access.py)."""
    return patient_access_policy.scope(user=user, queryset=Patient.objects.select_related("registered_practice"))


def patient_visible_count(*, user: User) -> int:
    return patient_scoped_queryset(user=user).count()


def patient_visible(*, user: User, public_id: Any) -> Patient | None:
    """A patient this user may see, by public id, or None: for choosing a patient on a form (a carer).
    The caller's service audits what it does with the patient."""
    return patient_scoped_queryset(user=user).filter(public_id=public_id).first()


def patient_ids_visible(*, user: User, patient_ids: Iterable[int]) -> set[int]:
    """Which of these patients the user has a care relationship with, in one query."""
    ids = {pk for pk in patient_ids if pk is not None}
    if not ids:
        return set()
    return set(patient_scoped_queryset(user=user).filter(pk__in=ids).values_list("pk", flat=True))


def registered_population_by_cluster() -> list[dict[str, str]]:
    """Aggregates only (no identifiers), suppressed for publication to commissioners."""
    rows = (
        Patient.objects.filter(date_of_death__isnull=True, registered_practice__cluster__isnull=False)
        .values("registered_practice__cluster__name")
        .annotate(people=Count("pk"))
        .order_by("registered_practice__cluster__name")
    )
    return [
        {"cluster": row["registered_practice__cluster__name"], "people": suppress_count(row["people"])} for row in rows
    ]


def patient_conditions(*, patient: Patient) -> list[PatientCondition]:
    """Active first, then resolved, each by onset; the caller has opened (and audited) the record."""
    return list(condition_rows(patient=patient).order_by("resolved_date", "onset_date"))


def condition_rows(*, patient: Patient) -> QuerySet[PatientCondition]:
    """The patient's conditions with their codes, for a paginated list; the caller has opened the record."""
    return PatientCondition.objects.filter(patient=patient).select_related("code")


def patient_care_home_stays(*, patient: Patient) -> list[CareHomeResidence]:
    return list(CareHomeResidence.objects.filter(patient=patient).select_related("care_home"))


def clinical_code_choices() -> list[tuple[str, str]]:
    """The curated code list, for choosing a condition to record."""
    return list(ClinicalCode.objects.order_by("term").values_list("code", "term"))
