from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Synthetic demo area and logins. Installed by the local settings only, never in production."""

    name = "demo"
    verbose_name = "Demo data"
