"""Where apps show themselves without being imported (docs/adr/0011).

Each app registers, from its `AppConfig.ready()`, the panels it serves for the patient record
page, its navigation items and its home-page cards. The pages of `caremodel` and `patients`
render whatever is registered, so an app to the left never imports one to its right: the
dependency direction of DESIGN.md holds and is checked by import-linter (`make lint`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from caremodel.models import User

Audience = Callable[[User], bool]


@dataclass(frozen=True)
class RecordPanel:
    """An htmx panel of the patient record page; `url_name` takes the patient's public id."""

    key: str
    title: str
    url_name: str
    order: int


@dataclass(frozen=True)
class NavItem:
    key: str
    text: str
    url_name: str
    order: int
    audience: Audience


@dataclass(frozen=True)
class HomeCard:
    """An htmx fragment of the home page, shown to the users `audience` admits."""

    key: str
    title: str
    url_name: str
    order: int
    audience: Audience
    fallback_url_name: str = ""  # a page to link to when scripts do not run


@dataclass
class AppRegistry:
    panels: dict[str, RecordPanel] = field(default_factory=dict)
    nav_items: dict[str, NavItem] = field(default_factory=dict)
    home_cards: dict[str, HomeCard] = field(default_factory=dict)
    login_context_providers: list[Callable[[], dict[str, Any]]] = field(default_factory=list)

    # Registering (from AppConfig.ready; registering the same key again replaces it)
    def register_record_panel(self, panel: RecordPanel) -> None:
        self.panels[panel.key] = panel

    def register_nav_item(self, item: NavItem) -> None:
        self.nav_items[item.key] = item

    def register_home_card(self, card: HomeCard) -> None:
        self.home_cards[card.key] = card

    def register_login_context(self, provider: Callable[[], dict[str, Any]]) -> None:
        """Extra context for the login page of a development server (the demo's logins)."""
        if provider not in self.login_context_providers:
            self.login_context_providers.append(provider)

    # Reading (by the pages that render what is registered)
    def record_panels_for(self, public_id: object) -> list[dict[str, str]]:
        slots = []
        for panel in sorted(self.panels.values(), key=lambda p: (p.order, p.key)):
            try:
                slots.append({"title": panel.title, "url": reverse(panel.url_name, args=[public_id])})
            except NoReverseMatch:
                continue
        return slots

    def navigation_for(self, user: User) -> list[NavItem]:
        items = [item for item in self.nav_items.values() if item.audience(user)]
        return sorted(items, key=lambda item: (item.order, item.key))

    def home_cards_for(self, user: User) -> list[HomeCard]:
        cards = [card for card in self.home_cards.values() if card.audience(user)]
        return sorted(cards, key=lambda card: (card.order, card.key))

    def login_context(self) -> dict[str, Any]:
        context: dict[str, Any] = {}
        for provider in self.login_context_providers:
            context.update(provider())
        return context


registry = AppRegistry()
