"""Carers: who cares for a patient (a patient here or not), and the audited carers register page."""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from caremodel.access import patient_access_policy
from caremodel.audit import audit_record, audit_record_many
from caremodel.models import AuditAction, AuditOutcome, Organisation, User
from patients.models import CarerRelationship, Patient
from patients.presenters import CarerContact, RegisterRow, carer_contact, person_shown
from patients.selectors.carers import practice_carers_register
from patients.selectors.patient import patient_ids_visible
from patients.services.patient import PatientVersionConflict, patient_open_for_update

REGISTER_PAGE_SIZE = 100
CONTACT = "carer_contact"  # the audit's name for a person shown only as someone's carer


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
    patient_open_for_update(user=user, patient=patient)
    errors: dict[str, str] = {}
    if carer_patient is None and not carer_name.strip():
        errors["carer_name"] = "Give the carer's name, or choose a carer who is a patient."
    if carer_patient is not None and carer_patient.pk == patient.pk:
        errors["carer_patient"] = "A patient cannot be their own carer."
    elif carer_patient is not None and not patient_access_policy.may_view(user=user, patient=carer_patient):
        # Only someone the user has a care relationship with can be named as a carer who is a patient.
        errors["carer_patient"] = "Choose the carer from the search results."
    if not relationship.strip():
        errors["relationship"] = "Say how the carer is related, for example daughter or neighbour."
    for name, value, limit in (
        ("carer_name", carer_name, 200),
        ("relationship", relationship, 100),
        ("availability", availability, 200),
        ("contact_phone", contact_phone, 30),
    ):
        if len(value.strip()) > limit:
            errors[name] = f"{name.replace('_', ' ').capitalize()} must be {limit} characters or fewer."
    if since is not None and since < patient.date_of_birth:
        errors["since"] = "Caring cannot begin before the patient was born."
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            if is_main_carer:
                CarerRelationship.objects.filter(patient=patient, is_main_carer=True, until__isnull=True).update(
                    is_main_carer=False
                )
            carer = CarerRelationship.objects.create(
                patient=patient,
                carer_patient=carer_patient,
                carer_name=carer_name.strip(),
                relationship=relationship.strip(),
                is_main_carer=is_main_carer,
                availability=availability.strip(),
                contact_phone=contact_phone.strip(),
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
    """Caring ended (moved away, stopped, died): the carer stays on the record as a former carer."""
    patient_open_for_update(user=user, patient=carer.patient)
    if carer.since is not None and until < carer.since:
        raise ValidationError({"until": "Caring cannot end before it began."})
    with transaction.atomic():
        CarerRelationship.objects.filter(pk=carer.pk).update(until=until, is_main_carer=False)
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


def carer_contacts(*, user: User, rows: list[CarerRelationship]) -> list[CarerContact]:
    """The carers of an opened record as contacts (docs/adr/0015): a carer who is a patient is shown by name,
    with a link to their record only if the user may see it. Each such carer is audited as having appeared
    (LIST), with the relationship that lets the user see them, or as a contact."""
    carer_ids = [row.carer_patient_id for row in rows if row.carer_patient_id is not None]
    visible = patient_ids_visible(user=user, patient_ids=carer_ids)
    if carer_ids:
        relationships = patient_access_policy.relationships_for(user=user, model=Patient, patient_ids=sorted(visible))
        audit_record_many(
            user=user,
            action=AuditAction.LIST,
            patient_ids=sorted(set(carer_ids)),
            relationship=CONTACT,
            relationships=relationships,
            resource="carer",
        )
    return [carer_contact(row, visible=visible) for row in rows]


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    page: int
    has_next: bool


def practice_carers_page(*, user: User, practice: Organisation, page: int = 1) -> RegisterPage:
    """A page of the register as shown: the people the user may see, and carers they may not see shown as
    contacts (docs/adr/0015); everyone who appears is audited (LIST) with the relationship that let them
    appear."""
    page = max(1, page)
    start = (page - 1) * REGISTER_PAGE_SIZE
    found = list(practice_carers_register(user=user, practice=practice)[start : start + REGISTER_PAGE_SIZE + 1])
    has_next = len(found) > REGISTER_PAGE_SIZE
    found = found[:REGISTER_PAGE_SIZE]
    people = {row.patient_id for row in found} | {row.carer_patient_id for row in found if row.carer_patient_id}
    visible = patient_ids_visible(user=user, patient_ids=people)
    shown = visible | {row.carer_patient_id for row in found if row.carer_patient_id}
    if shown:
        audit_record_many(
            user=user,
            action=AuditAction.LIST,
            patient_ids=sorted(shown),
            relationship=CONTACT,
            relationships=patient_access_policy.relationships_for(
                user=user, model=Patient, patient_ids=sorted(visible)
            ),
            resource="carers_register",
            detail={"practice": practice.ods_code},
        )
    rows = [
        RegisterRow(
            contact=carer_contact(row, visible=visible),
            cares_for=person_shown(row.patient, visible=visible) if row.patient_id in visible else None,
        )
        for row in found
    ]
    return RegisterPage(rows=rows, page=page, has_next=has_next)
