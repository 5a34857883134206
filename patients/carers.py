"""Carers: who cares for a patient (a patient here or not), and each practice's carers register.

Practices hold registers of carers; a carer belongs on a practice's register when the carer
is registered there, or cares for someone registered there.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet

from caremodel.access import patient_access_policy
from caremodel.audit import audit_record, audit_record_many
from caremodel.models import AuditAction, AuditOutcome, Organisation, User
from patients.models import CarerRelationship, Patient
from patients.selectors import patient_scoped_queryset
from patients.services import PatientVersionConflict, patient_open_for_update


def carer_add(
    *,
    user: User,
    patient: Patient,
    relationship: str,
    carer_patient: Patient | None = None,
    carer_name: str = "",
    is_main_carer: bool = False,
    availability: str = "",
    contact_phone: str = "",
    since: date | None = None,
) -> CarerRelationship:
    """Record a carer. A new main carer replaces the current one (one current main carer each)."""
    if carer_patient is None and not carer_name.strip():
        raise ValidationError({"carer_name": "Give the carer's name, or choose a carer who is a patient."})
    if carer_patient is not None and carer_patient.pk == patient.pk:
        raise ValidationError({"carer_patient": "A patient cannot be their own carer."})
    if not relationship.strip():
        raise ValidationError({"relationship": "Say how the carer is related, for example daughter or neighbour."})
    if carer_patient is not None and not patient_access_policy.may_view(user=user, patient=carer_patient):
        # Only someone the user has a care relationship with can be named as a carer who is a patient.
        raise ValidationError({"carer_patient": "Choose the carer from the search results."})
    try:
        patient_open_for_update(user=user, patient=patient)
        with transaction.atomic():
            if is_main_carer:
                CarerRelationship.objects.filter(patient=patient, is_main_carer=True, until__isnull=True).update(
                    is_main_carer=False
                )
            carer = CarerRelationship.objects.create(
                patient=patient,
                carer_patient=carer_patient,
                carer_name=carer_name.strip()[:200],
                relationship=relationship.strip()[:100],
                is_main_carer=is_main_carer,
                availability=availability.strip()[:200],
                contact_phone=contact_phone.strip()[:30],
                since=since,
            )
            audit_record(
                user=user,
                action=AuditAction.CREATE,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient.pk,
                resource="carer",
                detail={"main_carer": is_main_carer, "carer_is_patient": carer_patient is not None},
            )
            if carer_patient is not None:
                # The carer's own record now says whom they care for: audited against them too.
                audit_record(
                    user=user,
                    action=AuditAction.UPDATE,
                    outcome=AuditOutcome.ALLOWED,
                    patient_id=carer_patient.pk,
                    resource="carer",
                    detail={"cares_for": True},
                )
    except IntegrityError as exc:
        # Two people naming a main carer at once: the constraint decides, the loser is told.
        raise PatientVersionConflict(expected=patient.version, current=None) from exc
    return carer


def carer_end(*, user: User, carer: CarerRelationship, until: date) -> CarerRelationship:
    if carer.since is not None and until < carer.since:
        raise ValidationError({"until": "Caring cannot end before it began."})
    patient_open_for_update(user=user, patient=carer.patient)
    with transaction.atomic():
        CarerRelationship.objects.filter(pk=carer.pk).update(until=until)
        audit_record(
            user=user,
            action=AuditAction.UPDATE,
            outcome=AuditOutcome.ALLOWED,
            patient_id=carer.patient_id,
            resource="carer",
            detail={"ended": True},
        )
    carer.refresh_from_db()
    return carer


def carers_of_patient(*, patient: Patient) -> list[CarerRelationship]:
    """Current carers first; the caller has already opened (and audited) the record."""
    return list(
        CarerRelationship.objects.filter(patient=patient)
        .select_related("carer_patient")
        .order_by("until", "-is_main_carer", "id")
    )


def practice_carers_register(*, user: User, practice: Organisation) -> QuerySet[CarerRelationship]:
    """Current carers on a practice's register, limited to people this user has a care relationship with:
    the cared-for patient must be visible, and so must a carer who is a patient."""
    visible = patient_scoped_queryset(user=user).values("pk")
    return (
        CarerRelationship.objects.filter(until__isnull=True, patient__in=visible)
        .filter(Q(carer_patient__isnull=True) | Q(carer_patient__in=visible))
        .filter(Q(patient__registered_practice=practice) | Q(carer_patient__registered_practice=practice))
        .select_related("patient", "carer_patient")
        .order_by("patient__search_family", "patient__search_given", "id")
    )


def practice_carers_page(*, user: User, practice: Organisation, limit: int = 500) -> list[CarerRelationship]:
    """The register as shown on a page: every patient who appears is audited (LIST)."""
    rows = list(practice_carers_register(user=user, practice=practice)[:limit])
    ids = {row.patient_id for row in rows} | {row.carer_patient_id for row in rows if row.carer_patient_id}
    if ids:
        audit_record_many(
            user=user,
            action=AuditAction.LIST,
            patient_ids=sorted(ids),
            resource="carers_register",
            detail={"practice": practice.ods_code},
        )
    return rows
