"""Development and the embedded default: `make run` uses these settings."""

from caremodel.settings.base import *  # noqa: F403
from caremodel.settings.base import INSTALLED_APPS, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# Demo data (synthetic area, demo logins) exists only outside production.
INSTALLED_APPS = [*INSTALLED_APPS, "demo"]

# Serve static files straight from their sources while developing.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
