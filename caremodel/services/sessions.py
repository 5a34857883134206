"""Use cases on the care model that change state."""

from importlib import import_module

from django.conf import settings


def sessions_clear_expired() -> None:
    """Expired sessions are deleted so a stolen old cookie cannot be revived."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
