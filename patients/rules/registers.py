"""The rules of the record's registers: living situation, the named accountable GP and key worker,
consent to share and communication needs. The registers form, the registers API and
`patient_update_registers` all come here, so each rule and its message is written once."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from caremodel.models import Role, User
from patients.ages import age_on
from patients.models import ConsentToShare, Patient
from patients.selectors.staff import covering_staff

ACCOUNTABLE_GP_AGE = 75
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
TEXT_LIMITS = {"preferred_language": 50, "communication_needs": 255}
TEXT_LABELS = {"preferred_language": "The preferred language", "communication_needs": "Communication needs"}
STAFF_LABELS = {"accountable_gp": "Accountable GP", "key_worker": "Key worker"}

ACCOUNTABLE_GP_REQUIRED = f"Patients aged {ACCOUNTABLE_GP_AGE} and over must have a named accountable GP."
LANGUAGE_REQUIRED = "Say which language the interpreter is needed for."
CONSENT_UNKNOWN = f"Choose one of: {', '.join(ConsentToShare.values)}."


def named_staff_member(*, patient: Patient, user_id: int | None, field: str) -> User | None:
    """The member of staff to name as `field` ("accountable_gp" or "key_worker"): the accountable GP is an
    active GP, the key worker active clinical staff, in an active team covering the patient's practice."""
    if user_id is None:
        return None
    label = STAFF_LABELS[field]
    practice = patient.registered_practice
    where = f"a team that covers {practice.name}" if practice else "a team that covers the patient's practice"
    eligible = covering_staff(practice=practice)
    if field == "accountable_gp":
        member = eligible.filter(pk=user_id, role=Role.GP).first()
        if member is None:
            raise ValidationError({field: f"{label} must be an active GP in {where}."})
    else:
        member = eligible.filter(pk=user_id).first()
        if member is None:
            raise ValidationError({field: f"{label} must be active clinical staff in {where}."})
    return member


def text_too_long(field: str, value: str) -> str | None:
    limit = TEXT_LIMITS[field]
    return f"{TEXT_LABELS[field]} must be {limit} characters or fewer." if len(value) > limit else None


def register_values(*, patient: Patient, changes: dict[str, Any], user: User) -> dict[str, Any]:
    """The column values to write for `changes` (register field -> new value), or ValidationError naming
    every field at fault. Consent is stamped with when and by whom it was recorded."""
    errors: dict[str, str] = dict.fromkeys(
        sorted(set(changes) - set(REGISTER_FIELDS)), "This field cannot be set here."
    )
    values: dict[str, Any] = {}
    for name in ("lives_alone", "housebound", "interpreter_needed"):
        if name in changes:
            values[name] = changes[name] if name == "lives_alone" else bool(changes[name])
    for name in ("accountable_gp", "key_worker"):
        if name in changes:
            try:
                values[name] = named_staff_member(patient=patient, user_id=changes[name], field=name)
            except ValidationError as exc:
                errors.update({field: messages[0] for field, messages in exc.message_dict.items()})
    clearing_gp = "accountable_gp" in values and values["accountable_gp"] is None
    if clearing_gp and age_on(patient.date_of_birth, timezone.localdate()) >= ACCOUNTABLE_GP_AGE:
        errors["accountable_gp"] = ACCOUNTABLE_GP_REQUIRED
    if "consent_to_share" in changes:
        if changes["consent_to_share"] not in ConsentToShare.values:
            errors["consent_to_share"] = CONSENT_UNKNOWN
        else:
            values.update(
                consent_to_share=changes["consent_to_share"],
                consent_recorded_at=timezone.now(),
                consent_recorded_by=user,
            )
    for name in TEXT_LIMITS:
        if name in changes:
            text = str(changes[name] or "").strip()
            if fault := text_too_long(name, text):
                errors[name] = fault
            values[name] = text
    interpreter = values.get("interpreter_needed", patient.interpreter_needed)
    touched = "interpreter_needed" in changes or "preferred_language" in changes
    if touched and interpreter and not values.get("preferred_language", patient.preferred_language):
        errors["preferred_language"] = LANGUAGE_REQUIRED
    if not changes:
        errors["non_field_errors"] = "Nothing to change."
    if errors:
        raise ValidationError(errors)
    return values
