"""Reading patients: always through the access policy's scope."""

from django.db.models import QuerySet

from caremodel.access import patient_access_policy
from caremodel.models import User
from patients.models import Patient


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
