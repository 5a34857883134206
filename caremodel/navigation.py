"""Header navigation by role: each role sees the places its job takes it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from caremodel.models import Role, User


@dataclass(frozen=True)
class NavItem:
    text: str
    url_name: str


_CLINICAL = (
    NavItem("Home", "home"),
    NavItem("Patients", "patients:list"),
    NavItem("Find a patient", "patients:lookup"),
    NavItem("Risk list", "stratification:list"),
)

NAVIGATION: dict[str, tuple[NavItem, ...]] = {
    Role.GP: _CLINICAL,
    Role.CARE_COORDINATOR: _CLINICAL,
    Role.COMMUNITY_NURSE: _CLINICAL,
    Role.SOCIAL_WORKER: _CLINICAL,
    Role.THERAPIST: _CLINICAL,
    Role.PHARMACIST: _CLINICAL,
    Role.MENTAL_HEALTH_PRACTITIONER: _CLINICAL,
    Role.SPA_CLINICIAN: _CLINICAL,
    Role.MDT_CHAIR: _CLINICAL,
    Role.COMMISSIONER: (NavItem("Home", "home"),),
    Role.ADMINISTRATOR: (
        NavItem("Home", "home"),
        NavItem("Care model", "directory"),
        NavItem("Risk runs", "stratification:runs"),
        NavItem("Imports", "patients:import_upload"),
        NavItem("Rows to match", "patients:pending_matches"),
        NavItem("Duplicate records", "patients:duplicates"),
    ),
}


def navigation_for(user: User, current_path: str = "") -> list[dict[str, object]]:
    """Items for the NHS.UK header macro's `navigation.items`."""
    if not user.is_authenticated:
        return []
    items = []
    for item in NAVIGATION.get(user.role, (NavItem("Home", "home"),)):
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"href": href, "text": item.text, "current": current_path == href})
    return items
