"""Reading the care model: teams, practices and services a user works with."""

from django.db.models import Count, Prefetch, Q, QuerySet

from caremodel.models import CareService, Cluster, Organisation, OrganisationKind, Team, User


def team_list_for_user(*, user: User) -> QuerySet[Team]:
    return (
        Team.objects.filter(memberships__user=user, active=True)
        .select_related("organisation", "cluster")
        .order_by("name")
    )


def practice_list_for_user(*, user: User) -> QuerySet[Organisation]:
    """Practices the user's teams cover, directly or through their cluster."""
    return (
        Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE)
        .filter(
            Q(covering_teams__memberships__user=user, covering_teams__active=True)
            | Q(cluster__teams__memberships__user=user, cluster__teams__active=True)
        )
        .select_related("cluster")
        .distinct()
        .order_by("name")
    )


def cluster_directory() -> QuerySet[Cluster]:
    practices = Organisation.objects.filter(kind=OrganisationKind.GP_PRACTICE).order_by("name")
    return (
        Cluster.objects.select_related("commissioner")
        .prefetch_related(Prefetch("practices", queryset=practices), "teams")
        .order_by("name")
    )


def service_catalogue() -> QuerySet[CareService]:
    return CareService.objects.filter(active=True).select_related("provider", "team").order_by("name")


def care_model_counts() -> dict[str, int]:
    org_counts = Organisation.objects.aggregate(
        organisations=Count("pk"), practices=Count("pk", filter=Q(kind=OrganisationKind.GP_PRACTICE))
    )
    return {
        **org_counts,
        "clusters": Cluster.objects.count(),
        "teams": Team.objects.filter(active=True).count(),
        "users": User.objects.filter(is_active=True).count(),
        "services": CareService.objects.filter(active=True).count(),
    }
