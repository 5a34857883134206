"""Production: secrets and hosts must come from the environment; secure transport only."""

from caremodel.settings.base import *  # noqa: F403
from caremodel.settings.base import TRUSTED_PROXY_COUNT, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
# The admin is not at a guessable address in production.
ADMIN_URL = env("DJANGO_ADMIN_URL", default="staff-console-7d1c/")

# X-Forwarded-Proto says the request came over HTTPS only when a trusted proxy set it; without
# one (TRUSTED_PROXY_COUNT=0) a client could claim HTTPS over plain HTTP.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXY_COUNT else None
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# The OpenAPI schema and its viewer are development tools.
API_SCHEMA_ENABLED = False
