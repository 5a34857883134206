"""Reading patients: always through the access policy's scope."""

from typing import Any

from django.db.models import QuerySet

from caremodel.access import patient_access_policy
from caremodel.models import Organisation, User
from patients.models import CareHomeResidence, ClinicalCode, Patient, PatientCondition


def patient_scoped_queryset(*, user: User) -> QuerySet[Patient]:
    """The only door views and the API use to reach patients (enforced by scripts/lint_patient_access.py)."""
    return patient_access_policy.scope(user=user, queryset=Patient.objects.select_related("registered_practice"))


def patient_visible_count(*, user: User) -> int:
    return patient_scoped_queryset(user=user).count()


def registered_population_by_cluster() -> list[dict[str, str]]:
    """Aggregates only (no identifiers), suppressed for publication to commissioners."""
    from django.db.models import Count

    from caremodel.disclosure import suppress_count

    rows = (
        Patient.objects.filter(date_of_death__isnull=True, registered_practice__cluster__isnull=False)
        .values("registered_practice__cluster__name")
        .annotate(people=Count("pk"))
        .order_by("registered_practice__cluster__name")
    )
    return [
        {"cluster": row["registered_practice__cluster__name"], "people": suppress_count(row["people"])} for row in rows
    ]


def patient_record_parts(*, patient: Patient) -> dict[str, Any]:
    """The rows of an already opened (and audited) record that the record page shows."""
    from patients.carers import carers_of_patient
    from patients.events import events_timeline

    return {
        "conditions": list(
            PatientCondition.objects.filter(patient=patient)
            .select_related("code")
            .order_by("resolved_date", "onset_date")
        ),
        "care_home_stays": list(CareHomeResidence.objects.filter(patient=patient).select_related("care_home")),
        "carers": carers_of_patient(patient=patient),
        "events": events_timeline(patient=patient),
    }


def clinical_code_choices() -> list[tuple[str, str]]:
    """The curated code list, for choosing a condition to record."""
    return list(ClinicalCode.objects.order_by("term").values_list("code", "term"))


def patient_visible(*, user: User, public_id: Any) -> Patient | None:
    """A patient this user may see, by public id, or None: for choosing a patient on a form (a carer).
    The caller's service audits what it does with the patient."""
    return patient_scoped_queryset(user=user).filter(public_id=public_id).first()


def event_provider_choices() -> list[Organisation]:
    """Organisations an event on the record can be attributed to (hospitals, community and care providers)."""
    from patients.events import PROVIDER_KINDS

    return list(Organisation.objects.filter(kind__in=PROVIDER_KINDS, active=True).order_by("name"))
