"""Header navigation: the items apps registered (caremodel.registry) that this user's role admits."""

from django.urls import NoReverseMatch, reverse

from caremodel import rules
from caremodel.models import User
from caremodel.registry import NavItem, registry


def navigation_for(user: User, current_path: str = "") -> list[dict[str, object]]:
    """Items for the NHS.UK header macro's `navigation.items`."""
    if not user.is_authenticated:
        return []
    items = []
    for item in registry.navigation_for(user):
        try:
            href = reverse(item.url_name)
        except NoReverseMatch:
            continue
        items.append({"href": href, "text": item.text, "current": current_path == href})
    return items


def register() -> None:
    """The care model's own places: home for everyone, the directory for administrators."""
    registry.register_nav_item(NavItem("home", "Home", "home", order=0, audience=rules.is_active_member))
    registry.register_nav_item(
        NavItem("directory", "Care model", "directory", order=10, audience=rules.is_administrator)
    )
