"""The synthetic demo area: one commissioner, three clusters (Ashford's Rural, North and
Urban are the example), ten practices, providers, teams, services and one user per role."""

from dataclasses import dataclass

from django.db import transaction

from caremodel.models import (
    CareService,
    Cluster,
    Organisation,
    OrganisationKind,
    ServiceKind,
    Team,
    TeamKind,
    TeamMembership,
    User,
)
from demo.logins import DEMO_LOGINS, DEMO_PASSWORD

COMMISSIONER_CODE = "QDM"

# (ODS-like code, name, cluster, postcode district)
PRACTICES: tuple[tuple[str, str, str, str], ...] = (
    ("Y90001", "Ashbourne Surgery", "Urban", "TN23"),
    ("Y90002", "Victoria Road Medical Centre", "Urban", "TN23"),
    ("Y90003", "Stour Health Partnership", "Urban", "TN24"),
    ("Y90004", "Willesborough Practice", "Urban", "TN24"),
    ("Y90005", "Kennington Health Centre", "North", "TN25"),
    ("Y90006", "Wye Valley Surgery", "North", "TN25"),
    ("Y90007", "Charing Village Practice", "North", "TN27"),
    ("Y90008", "Tenterden Medical Group", "Rural", "TN30"),
    ("Y90009", "Hamstreet Surgery", "Rural", "TN26"),
    ("Y90010", "Woodchurch and Bethersden Practice", "Rural", "TN26"),
)
CLUSTERS = ("Urban", "North", "Rural")

OTHER_ORGANISATIONS: tuple[tuple[str, str, str], ...] = (
    ("RDM01", "Weald Community Health NHS Trust", OrganisationKind.COMMUNITY_PROVIDER),
    ("LDM01", "Weald County Council Adult Social Care", OrganisationKind.SOCIAL_CARE),
    ("RDM02", "Weald and Coast Partnership NHS Trust (mental health)", OrganisationKind.MENTAL_HEALTH),
    ("RDM03", "East Weald Hospitals University NHS Trust", OrganisationKind.ACUTE_TRUST),
    ("VDM01", "Age UK Weald", OrganisationKind.VOLUNTARY_SECTOR),
    ("CDM01", "Orchard House Care Home", OrganisationKind.CARE_HOME),
    ("CDM02", "Stour Meadows Nursing Home", OrganisationKind.CARE_HOME),
)

WEEKDAYS = "Monday to Friday, 8am to 6pm"
SEVEN_DAYS = "Every day, 8am to 8pm"

# (name, kind, provider code, 24/7, hours, beds)
SERVICES: tuple[tuple[str, ServiceKind, str, bool, str, int | None], ...] = (
    ("Rapid response", ServiceKind.RAPID_RESPONSE, "RDM01", True, "", None),
    ("Intermediate care beds (step-up)", ServiceKind.IC_BED_STEP_UP, "RDM01", True, "", 16),
    ("Intermediate care beds (step-down)", ServiceKind.IC_BED_STEP_DOWN, "RDM01", True, "", 24),
    ("Home-based intermediate care", ServiceKind.IC_HOME, "RDM01", False, SEVEN_DAYS, None),
    ("Reablement", ServiceKind.REABLEMENT, "LDM01", False, SEVEN_DAYS, None),
    ("Falls service", ServiceKind.FALLS, "RDM01", False, WEEKDAYS, None),
    ("Dementia crisis service", ServiceKind.DEMENTIA_CRISIS, "RDM02", True, "", None),
    ("Carers assessment", ServiceKind.CARERS_ASSESSMENT, "LDM01", False, WEEKDAYS, None),
    ("End-of-life care coordination", ServiceKind.END_OF_LIFE, "RDM01", True, "", None),
    ("Community equipment", ServiceKind.EQUIPMENT, "LDM01", False, WEEKDAYS, None),
    ("Social care assessment", ServiceKind.SOCIAL_CARE_ASSESSMENT, "LDM01", False, WEEKDAYS, None),
    ("Mental health liaison", ServiceKind.MENTAL_HEALTH_LIAISON, "RDM02", True, "", None),
)


# Named GPs without a login, one per practice that has no demo GP login: every over-75 has an
# accountable GP from a team that covers their practice.
PRACTICE_GPS: tuple[tuple[str, str], ...] = (
    ("Nadia", "Burns"),
    ("Owen", "Clarke"),
    ("Priya", "Desai"),
    ("Rhys", "Evans"),
    ("Sophie", "Grant"),
    ("Tariq", "Hussain"),
    ("Una", "Kelly"),
    ("Victor", "Lamb"),
    ("Wendy", "Moss"),
    ("Yusuf", "Noor"),
)


@dataclass
class DemoArea:
    commissioner: Organisation
    clusters: dict[str, Cluster]
    practices: list[Organisation]
    teams: dict[str, Team]


@transaction.atomic
def build_area() -> DemoArea:
    """Idempotent: running it again updates the same rows and resets demo passwords."""
    commissioner, _ = Organisation.objects.update_or_create(
        ods_code=COMMISSIONER_CODE,
        defaults={"name": "NHS Weald and Downs Integrated Care Board", "kind": OrganisationKind.COMMISSIONER},
    )
    clusters = {name: Cluster.objects.get_or_create(commissioner=commissioner, name=name)[0] for name in CLUSTERS}
    practices = []
    for code, name, cluster_name, district in PRACTICES:
        practice, _ = Organisation.objects.update_or_create(
            ods_code=code,
            defaults={
                "name": name,
                "kind": OrganisationKind.GP_PRACTICE,
                "cluster": clusters[cluster_name],
                "postcode": f"{district} 1AA",
            },
        )
        practices.append(practice)
    others = {
        code: Organisation.objects.update_or_create(ods_code=code, defaults={"name": name, "kind": kind})[0]
        for code, name, kind in OTHER_ORGANISATIONS
    }

    teams: dict[str, Team] = {}
    for index, practice in enumerate(practices):
        team, _ = Team.objects.update_or_create(
            name=f"{practice.name} practice team", defaults={"kind": TeamKind.PRACTICE, "organisation": practice}
        )
        team.practices.set([practice])
        teams[f"practice:{index}"] = team
    for name, cluster in clusters.items():
        teams[f"nct:{name}"] = Team.objects.update_or_create(
            name=f"{name} neighbourhood care team",
            defaults={"kind": TeamKind.NEIGHBOURHOOD, "organisation": others["RDM01"], "cluster": cluster},
        )[0]
    teams["spa"] = Team.objects.update_or_create(
        name="Single point of access", defaults={"kind": TeamKind.SPA, "organisation": others["RDM01"]}
    )[0]
    teams["commissioning"] = Team.objects.update_or_create(
        name="Better Care Fund commissioning", defaults={"kind": TeamKind.COMMISSIONING, "organisation": commissioner}
    )[0]
    teams["administration"] = Team.objects.update_or_create(
        name="CareModel administration", defaults={"kind": TeamKind.ADMINISTRATION, "organisation": commissioner}
    )[0]

    for name, kind, provider_code, all_hours, hours, beds in SERVICES:
        CareService.objects.update_or_create(
            name=name,
            defaults={
                "kind": kind,
                "provider": others[provider_code],
                "team": teams["spa"] if kind == ServiceKind.RAPID_RESPONSE else None,
                "open_24_7": all_hours,
                "opening_hours": hours,
                "bed_capacity": beds,
            },
        )

    for login in DEMO_LOGINS:
        team = teams[login.team_key]
        user, _ = User.objects.update_or_create(
            username=login.username,
            defaults={
                "first_name": login.first_name,
                "last_name": login.last_name,
                "role": login.role,
                "organisation": team.organisation,
                "is_staff": login.role == "administrator",
                "is_superuser": login.role == "administrator",
                "is_active": True,
            },
        )
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        TeamMembership.objects.get_or_create(team=team, user=user)
    _practice_gps(practices, teams)
    return DemoArea(commissioner=commissioner, clusters=clusters, practices=practices, teams=teams)


def _practice_gps(practices: list[Organisation], teams: dict[str, Team]) -> None:
    """A GP in each practice team that has no demo GP login; they cannot log in."""
    with_login = {login.team_key for login in DEMO_LOGINS if login.role == "gp"}
    for index, practice in enumerate(practices):
        key = f"practice:{index}"
        if key in with_login:
            continue
        first, last = PRACTICE_GPS[index % len(PRACTICE_GPS)]
        user, created = User.objects.update_or_create(
            username=f"gp.{practice.ods_code.lower()}",
            defaults={
                "first_name": first,
                "last_name": last,
                "role": "gp",
                "organisation": practice,
                "is_active": True,
            },
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        TeamMembership.objects.get_or_create(team=teams[key], user=user)
