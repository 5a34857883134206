"""Who may be named on a record: active clinical staff in a team that covers the patient's practice
(directly or through its cluster). The rules that check a choice are in patients.rules.registers."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from caremodel.models import Organisation, User
from caremodel.rules import CLINICAL_ROLES
from patients.models import Patient


def covering_staff(*, practice: Organisation | None) -> QuerySet[User]:
    """Active clinical staff in an active team that covers `practice`; nobody for an unregistered patient."""
    if practice is None:
        return User.objects.none()
    covers = Q(memberships__team__practices=practice)
    if practice.cluster_id is not None:
        covers |= Q(memberships__team__cluster_id=practice.cluster_id)
    members = User.objects.filter(covers, memberships__team__active=True).values("pk")
    return User.objects.filter(pk__in=members, is_active=True, role__in=CLINICAL_ROLES)


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
