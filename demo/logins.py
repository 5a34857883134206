"""The demo logins, one per role, shown on the login page of a development server only."""

from dataclasses import dataclass

DEMO_PASSWORD = "caremodel-demo"  # noqa: S105 - synthetic demo area, never installed in production


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    first_name: str
    last_name: str
    team_key: str
    note: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("gp", "gp", "Amira", "Shah", "practice:0", "Patients of Ashbourne Surgery (Urban cluster)"),
    DemoLogin("gp.north", "gp", "Tom", "Reeve", "practice:4", "Patients of Kennington Health Centre (North cluster)"),
    DemoLogin("coordinator", "care_coordinator", "Bea", "Okafor", "nct:Urban", "All practices of the Urban cluster"),
    DemoLogin("nurse", "community_nurse", "Cara", "Lewis", "nct:Urban", "All practices of the Urban cluster"),
    DemoLogin("social.worker", "social_worker", "Dan", "Price", "nct:North", "All practices of the North cluster"),
    DemoLogin("therapist", "therapist", "Eve", "Marsh", "nct:Rural", "All practices of the Rural cluster"),
    DemoLogin("pharmacist", "pharmacist", "Femi", "Adeyemi", "nct:Urban", "All practices of the Urban cluster"),
    DemoLogin(
        "mh.practitioner",
        "mental_health_practitioner",
        "Gina",
        "Novak",
        "nct:Rural",
        "All practices of the Rural cluster",
    ),
    DemoLogin("spa", "spa_clinician", "Hari", "Patel", "spa", "Referrals to the single point of access (none yet)"),
    DemoLogin("mdt.chair", "mdt_chair", "Iris", "Doyle", "nct:Urban", "All practices of the Urban cluster"),
    DemoLogin("commissioner", "commissioner", "Jon", "Hale", "commissioning", "Aggregates only, never patients"),
    DemoLogin("admin", "administrator", "Kim", "Ward", "administration", "The care model and the staff console"),
)
