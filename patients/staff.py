"""Who may be named on a record: the accountable GP is an active GP, and the key worker active
clinical staff, in a team that covers the patient's practice (directly or through its cluster)."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from caremodel.models import Organisation, Role, User
from patients.models import Patient

NOT_CLINICAL_STAFF = (Role.COMMISSIONER, Role.ADMINISTRATOR)
FIELD_LABELS = {"accountable_gp": "Accountable GP", "key_worker": "Key worker"}


def covering_staff(*, practice: Organisation | None) -> QuerySet[User]:
    """Active clinical staff in an active team that covers `practice`; nobody for an unregistered patient."""
    if practice is None:
        return User.objects.none()
    covers = Q(memberships__team__practices=practice)
    if practice.cluster_id is not None:
        covers |= Q(memberships__team__cluster_id=practice.cluster_id)
    members = User.objects.filter(covers, memberships__team__active=True).values("pk")
    return User.objects.filter(pk__in=members, is_active=True).exclude(role__in=NOT_CLINICAL_STAFF)


@dataclass(frozen=True)
class StaffChoice:
    pk: int
    name: str
    role: str
    eligible: bool  # False for someone named now who could not be chosen again (left, moved team)


def staff_choices(*, patient: Patient, keep: tuple[int | None, ...] = ()) -> list[StaffChoice]:
    """The staff who may be named on this patient's record, plus the people in `keep` (those named
    now), so a form that leaves them unchanged stays valid if they have left."""
    named = [pk for pk in keep if pk is not None]
    eligible = set(covering_staff(practice=patient.registered_practice).values_list("pk", flat=True))
    rows = (
        User.objects.filter(Q(pk__in=eligible) | Q(pk__in=named))
        .order_by("last_name", "first_name", "username")
        .values_list("pk", "first_name", "last_name", "username", "role")
    )
    return [
        StaffChoice(pk=pk, name=f"{first} {last}".strip() or username, role=role, eligible=pk in eligible)
        for pk, first, last, username, role in rows
    ]


def named_staff_member(*, patient: Patient, user_id: int | None, field: str) -> User | None:
    """The member of staff to name as `field` ("accountable_gp" or "key_worker"), or ValidationError
    naming the field and the rule."""
    if user_id is None:
        return None
    label = FIELD_LABELS[field]
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
