"""Values of caremodel.settings.production, read in a fresh interpreter with a deployment's
environment, so that a test can run under them (override_settings) without importing the module
into the test run's own settings."""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "caremodel.settings.production",
    "DJANGO_SECRET_KEY": "x7!kq" * 12,
    "DJANGO_ALLOWED_HOSTS": "caremodel.example.nhs.uk",
}
# A deployment's environment has none of the test run's database, broker, proxy or async overrides.
DROPPED = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE", "TRUSTED_PROXY_COUNT")
PROBE = (
    "import django, json, sys; django.setup(); import axes.conf; from django.conf import settings; "
    "print(json.dumps({name: getattr(settings, name, None) for name in sys.argv[1:]}))"
)


def production_settings(*names: str, **env: str) -> dict[str, Any]:
    """The named settings as the production module gives them under PRODUCTION_ENV plus `env`."""
    clean = {key: value for key, value in os.environ.items() if key not in DROPPED}
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", PROBE, *names],
        cwd=ROOT,
        env={**clean, **PRODUCTION_ENV, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    # JSON has no tuples; Django's own settings of pairs are tuples.
    if values.get("SECURE_PROXY_SSL_HEADER"):
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values
