"""Carers of a patient and the carers register of a practice."""

from django.db.models import Q, QuerySet

from caremodel.models import Organisation, User
from patients.models import CarerRelationship, Patient
from patients.selectors.patient import patient_scoped_queryset


def carers_of_patient(*, patient: Patient) -> list[CarerRelationship]:
    """Current carers first; the caller has already opened (and audited) the record."""
    return list(carer_rows(patient=patient).order_by("until", "-is_main_carer", "id"))


def carer_rows(*, patient: Patient) -> QuerySet[CarerRelationship]:
    """The patient's carers, for a paginated list; the caller has opened the record."""
    return CarerRelationship.objects.filter(patient=patient).select_related("carer_patient")


def practice_carers_register(*, user: User, practice: Organisation) -> QuerySet[CarerRelationship]:
    """Current carers on a practice's register, for a user: rows where the user has a care relationship
    with the cared-for patient or with the carer (who is then a patient here). What the page shows of the
    other person follows docs/adr/0015: a carer as a contact, a cared-for person not at all.

    A carer belongs on a practice's register when the carer is registered there, or cares for
    someone registered there."""
    visible = patient_scoped_queryset(user=user).values("pk")
    return (
        CarerRelationship.objects.filter(until__isnull=True)
        .filter(Q(patient__in=visible) | Q(carer_patient__in=visible))
        .filter(Q(patient__registered_practice=practice) | Q(carer_patient__registered_practice=practice))
        .select_related("patient", "carer_patient")
        .order_by("patient__search_family", "patient__search_given", "id")
    )
