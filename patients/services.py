"""Use cases on patients. Each checks the access policy and writes the audit trail."""

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from caremodel.access import PatientDataForbidden, PatientNotVisible, patient_access_policy
from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, Organisation, OrganisationKind, User
from patients.models import CareHomeResidence, ClinicalCode, ConsentToShare, Patient, PatientCondition
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number
from patients.presenters import age_on
from patients.staff import named_staff_member

ACCOUNTABLE_GP_AGE = 75


def _open_record(
    *, user: User, patient: Patient | None, action: AuditAction, detail: dict[str, str], audit_allowed: bool = True
) -> Patient:
    if not patient_access_policy.may_see_patient_data(user):
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk if patient else None,
            detail={**detail, "reason": "role sees aggregates only"},
        )
        raise PatientDataForbidden
    if patient is None:
        audit_record(user=user, action=action, outcome=AuditOutcome.NOT_FOUND, detail=detail)
        raise PatientNotVisible
    relationship = patient_access_policy.relationship_with(user=user, patient=patient)
    if relationship is None:
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.DENIED,
            patient_id=patient.pk,
            detail={**detail, "reason": "no care relationship"},
        )
        raise PatientNotVisible
    if audit_allowed:
        audit_record(
            user=user,
            action=action,
            outcome=AuditOutcome.ALLOWED,
            patient_id=patient.pk,
            relationship=relationship.name,
        )
    return patient


def patient_open(*, user: User, public_id: UUID) -> Patient:
    """Open a patient's record for viewing; raises PatientNotVisible or PatientDataForbidden."""
    patient = Patient.objects.select_related("registered_practice").filter(public_id=public_id).first()
    return _open_record(user=user, patient=patient, action=AuditAction.VIEW, detail={})


def patient_lookup_by_nhs_number(*, user: User, nhs_number: str) -> Patient:
    """Find a patient by NHS number in any formatting; invalid numbers raise ValidationError naming the field."""
    try:
        normalised = normalise_nhs_number(nhs_number)
    except InvalidNHSNumber as exc:
        audit_record(user=user, action=AuditAction.LOOKUP, outcome=AuditOutcome.INVALID)
        raise ValidationError({"nhs_number": str(exc)}) from exc
    patient = Patient.objects.select_related("registered_practice").filter(nhs_number=normalised).first()
    return _open_record(user=user, patient=patient, action=AuditAction.LOOKUP, detail={})


class PatientVersionConflict(Exception):
    """Someone else changed the record since it was read: nothing was written (409)."""

    def __init__(self, *, expected: int, current: int | None) -> None:
        self.expected = expected
        self.current = current
        super().__init__(
            f"This record was changed by someone else (you edited version {expected}, it is now at version {current}). "
            "Reload it and make your change again."
        )


def patient_open_for_update(*, user: User, patient: Patient | None) -> Patient:
    """Check the care relationship before a write; denials are audited here, the write audits itself.
    Call it before the write's transaction opens, so that a refusal's audit entry is not rolled back
    with the write it stopped."""
    return _open_record(
        user=user, patient=patient, action=AuditAction.UPDATE, detail={"check": "write"}, audit_allowed=False
    )


def _patient_update(
    *, user: User, patient: Patient, expected_version: int, changes: dict[str, Any], what: str
) -> Patient:
    """Conditional UPDATE ... WHERE version = expected: of two editors of one version, exactly one wins.
    A refused write is audited after the transaction, so raising the conflict does not roll its entry back."""
    patient_open_for_update(user=user, patient=patient)
    with transaction.atomic():
        updated = Patient.objects.filter(pk=patient.pk, version=expected_version).update(
            **changes, version=F("version") + 1, updated_at=timezone.now()
        )
        if updated:
            audit_record(
                user=user,
                action=AuditAction.UPDATE,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient.pk,
                detail={"what": what, "fields": sorted(changes), "version": expected_version + 1},
            )
    if not updated:
        current = Patient.objects.filter(pk=patient.pk).values_list("version", flat=True).first()
        audit_record(
            user=user,
            action=AuditAction.UPDATE,
            outcome=AuditOutcome.INVALID,
            patient_id=patient.pk,
            detail={"what": what, "reason": "version conflict", "expected_version": expected_version},
        )
        raise PatientVersionConflict(expected=expected_version, current=current)
    patient.refresh_from_db()
    return patient


def patient_set_living_situation(
    *, user: User, patient: Patient, expected_version: int, lives_alone: bool | None, housebound: bool
) -> Patient:
    return _patient_update(
        user=user,
        patient=patient,
        expected_version=expected_version,
        changes={"lives_alone": lives_alone, "housebound": housebound},
        what="living situation",
    )


def patient_set_accountable_gp(*, user: User, patient: Patient, expected_version: int, gp_id: int | None) -> Patient:
    """Every patient aged 75 and over has a named accountable GP; it cannot be cleared for them."""
    gp = named_staff_member(patient=patient, user_id=gp_id, field="accountable_gp")
    if gp is None and age_on(patient.date_of_birth, timezone.localdate()) >= ACCOUNTABLE_GP_AGE:
        raise ValidationError({"accountable_gp": "Patients aged 75 and over must have a named accountable GP."})
    return _patient_update(
        user=user,
        patient=patient,
        expected_version=expected_version,
        changes={"accountable_gp": gp},
        what="accountable GP",
    )


def patient_set_key_worker(
    *, user: User, patient: Patient, expected_version: int, key_worker_id: int | None
) -> Patient:
    worker = named_staff_member(patient=patient, user_id=key_worker_id, field="key_worker")
    return _patient_update(
        user=user, patient=patient, expected_version=expected_version, changes={"key_worker": worker}, what="key worker"
    )


def patient_record_consent(*, user: User, patient: Patient, expected_version: int, consent: str) -> Patient:
    """Consent to share is recorded with when and by whom, so it can be evidenced later."""
    if consent not in ConsentToShare.values:
        raise ValidationError({"consent_to_share": f"Choose one of: {', '.join(ConsentToShare.values)}."})
    return _patient_update(
        user=user,
        patient=patient,
        expected_version=expected_version,
        changes={"consent_to_share": consent, "consent_recorded_at": timezone.now(), "consent_recorded_by": user},
        what="consent to share",
    )


def patient_set_communication_needs(
    *,
    user: User,
    patient: Patient,
    expected_version: int,
    interpreter_needed: bool,
    preferred_language: str,
    communication_needs: str,
) -> Patient:
    if interpreter_needed and not preferred_language.strip():
        raise ValidationError({"preferred_language": "Say which language the interpreter is needed for."})
    return _patient_update(
        user=user,
        patient=patient,
        expected_version=expected_version,
        changes={
            "interpreter_needed": interpreter_needed,
            "preferred_language": preferred_language.strip()[:50],
            "communication_needs": communication_needs.strip()[:255],
        },
        what="communication needs",
    )


def condition_record(
    *, user: User, patient: Patient, code: str, onset_date: date | None, source: str = "manual"
) -> tuple[PatientCondition, bool]:
    """Add a coded condition; recording the same code and onset again returns the existing row."""
    clinical_code = ClinicalCode.objects.filter(code=code).first()
    if clinical_code is None:
        raise ValidationError({"code": f"{code!r} is not on the code list."})
    if onset_date is not None and onset_date > timezone.localdate():
        raise ValidationError({"onset_date": "The onset date cannot be in the future."})
    if onset_date is not None and onset_date < patient.date_of_birth:
        raise ValidationError({"onset_date": "The onset date cannot be before the date of birth."})
    patient_open_for_update(user=user, patient=patient)
    with transaction.atomic():
        condition, created = PatientCondition.objects.get_or_create(
            patient=patient, code=clinical_code, onset_date=onset_date, defaults={"source": source}
        )
        if created:
            audit_record(
                user=user,
                action=AuditAction.CREATE,
                outcome=AuditOutcome.ALLOWED,
                patient_id=patient.pk,
                resource="condition",
                detail={"code": code},
            )
    return condition, created


def condition_resolve(*, user: User, condition: PatientCondition, resolved_date: date) -> PatientCondition:
    if condition.onset_date is not None and resolved_date < condition.onset_date:
        raise ValidationError({"resolved_date": "A condition cannot resolve before its onset."})
    if resolved_date > timezone.localdate():
        raise ValidationError({"resolved_date": "The resolved date cannot be in the future."})
    patient_open_for_update(user=user, patient=condition.patient)
    with transaction.atomic():
        PatientCondition.objects.filter(pk=condition.pk).update(resolved_date=resolved_date)
        audit_record(
            user=user,
            action=AuditAction.UPDATE,
            outcome=AuditOutcome.ALLOWED,
            patient_id=condition.patient_id,
            resource="condition",
            detail={"code": condition.code.code, "resolved": True},
        )
    condition.refresh_from_db()
    return condition


def care_home_admit(
    *, user: User, patient: Patient, care_home: Organisation, since: date, nursing: bool
) -> CareHomeResidence:
    """Move into a care home: the current stay (if any) ends the day before, so there is one open stay."""
    if care_home.kind != OrganisationKind.CARE_HOME:
        raise ValidationError({"care_home": "Choose a care home."})
    patient_open_for_update(user=user, patient=patient)
    with transaction.atomic():
        current = CareHomeResidence.objects.select_for_update().filter(patient=patient, until__isnull=True).first()
        if current is not None:
            if since <= current.since:
                raise ValidationError({"since": "The new stay must start after the current stay began."})
            current.until = since - timedelta(days=1)
            current.save(update_fields=["until"])
        stay = CareHomeResidence.objects.create(patient=patient, care_home=care_home, since=since, nursing=nursing)
        audit_record(
            user=user,
            action=AuditAction.CREATE,
            outcome=AuditOutcome.ALLOWED,
            patient_id=patient.pk,
            resource="care_home_residence",
            detail={"care_home": care_home.ods_code},
        )
    return stay


def care_home_leave(*, user: User, patient: Patient, until: date) -> CareHomeResidence:
    patient_open_for_update(user=user, patient=patient)
    with transaction.atomic():
        current = CareHomeResidence.objects.select_for_update().filter(patient=patient, until__isnull=True).first()
        if current is None:
            raise ValidationError({"until": "The patient is not living in a care home."})
        if until < current.since:
            raise ValidationError({"until": "The stay cannot end before it began."})
        current.until = until
        current.save(update_fields=["until"])
        audit_record(
            user=user,
            action=AuditAction.UPDATE,
            outcome=AuditOutcome.ALLOWED,
            patient_id=patient.pk,
            resource="care_home_residence",
            detail={"ended": True},
        )
    return current


def patient_for_write(*, user: User, public_id: UUID) -> Patient:
    """The record a nested write (condition, carer, event) is about; 404 and 403 rules as for reads."""
    patient = Patient.objects.select_related("registered_practice").filter(public_id=public_id).first()
    return patient_open_for_update(user=user, patient=patient)


REGISTER_FIELDS = (
    "lives_alone",
    "housebound",
    "accountable_gp",
    "key_worker",
    "consent_to_share",
    "interpreter_needed",
    "preferred_language",
    "communication_needs",
)


def patient_update_registers(
    *, user: User, patient: Patient, expected_version: int, changes: dict[str, Any]
) -> Patient:
    """Several register fields in one conditional UPDATE (one version step): all of them or none."""
    unknown = sorted(set(changes) - set(REGISTER_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
    values: dict[str, Any] = {name: changes[name] for name in ("lives_alone", "housebound") if name in changes}
    if "accountable_gp" in changes:
        gp = named_staff_member(patient=patient, user_id=changes["accountable_gp"], field="accountable_gp")
        if gp is None and age_on(patient.date_of_birth, timezone.localdate()) >= ACCOUNTABLE_GP_AGE:
            raise ValidationError({"accountable_gp": "Patients aged 75 and over must have a named accountable GP."})
        values["accountable_gp"] = gp
    if "key_worker" in changes:
        values["key_worker"] = named_staff_member(patient=patient, user_id=changes["key_worker"], field="key_worker")
    if "consent_to_share" in changes:
        if changes["consent_to_share"] not in ConsentToShare.values:
            raise ValidationError({"consent_to_share": f"Choose one of: {', '.join(ConsentToShare.values)}."})
        values.update(
            consent_to_share=changes["consent_to_share"], consent_recorded_at=timezone.now(), consent_recorded_by=user
        )
    for name, limit in (("preferred_language", 50), ("communication_needs", 255)):
        if name in changes:
            values[name] = str(changes[name]).strip()[:limit]
    if "interpreter_needed" in changes:
        values["interpreter_needed"] = bool(changes["interpreter_needed"])
    if values.get("interpreter_needed") and not values.get("preferred_language", patient.preferred_language):
        raise ValidationError({"preferred_language": "Say which language the interpreter is needed for."})
    if not values:
        raise ValidationError({"non_field_errors": "Nothing to change."})
    return _patient_update(
        user=user, patient=patient, expected_version=expected_version, changes=values, what="registers"
    )
