"""The care relationship this app owns: the patient is registered at a practice that one
of the user's active teams covers, directly or through the team's cluster."""

from django.db.models import Q

from caremodel.access import patient_access_policy
from caremodel.models import Organisation, OrganisationKind, User


def registered_at_team_practice(user: User) -> Q:
    practices = Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).filter(
        Q(covering_teams__memberships__user=user, covering_teams__active=True)
        | Q(cluster__teams__memberships__user=user, cluster__teams__active=True)
    )
    return Q(registered_practice__in=practices.values("pk"))


def register() -> None:
    patient_access_policy.register_relationship(
        name="registered_practice",
        label="Registered at a practice your team covers",
        rule=registered_at_team_practice,
    )
