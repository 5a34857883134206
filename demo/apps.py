from typing import Any

from django.apps import AppConfig


def demo_login_context() -> dict[str, Any]:
    from demo.logins import DEMO_LOGINS, DEMO_PASSWORD

    return {"demo_logins": DEMO_LOGINS, "demo_password": DEMO_PASSWORD}


class DemoConfig(AppConfig):
    """Synthetic demo area and logins. Installed by the local settings only, never in production."""

    name = "demo"
    verbose_name = "Demo data"

    def ready(self) -> None:
        from caremodel.registry import registry

        # The login page of a development server lists the demo logins (caremodel never imports demo).
        registry.register_login_context(demo_login_context)
