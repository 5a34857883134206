"""Settings come from the environment: the embedded default, PostgreSQL + Redis, production."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "caremodel.settings.production",
    "DJANGO_SECRET_KEY": "x7!kq" * 12,
    "DJANGO_ALLOWED_HOSTS": "caremodel.example.nhs.uk",
}
PROBE = (
    "import django, json; django.setup(); from django.conf import settings as s; "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], 'cache': s.CACHES['default']['BACKEND'], "
    "'broker': s.CELERY_BROKER_URL, 'eager': s.CELERY_TASK_ALWAYS_EAGER, 'admin': s.ADMIN_URL, "
    "'schema': s.API_SCHEMA_ENABLED, 'debug': s.DEBUG, 'apps': s.INSTALLED_APPS}))"
)


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # Only what a deployment would have: not the test run's database, broker, proxy or async override.
    dropped = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    dropped += ("TRUSTED_PROXY_COUNT",)
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _settings(env: dict[str, str]) -> dict[str, object]:
    result = _run(env, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_embedded_default_is_sqlite_with_eager_celery() -> None:
    s = _settings({"DJANGO_SETTINGS_MODULE": "caremodel.settings.local"})
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["cache"].endswith("LocMemCache")
    assert s["eager"] is True
    assert "demo" in s["apps"]


def test_database_and_redis_urls_switch_to_postgresql_and_redis() -> None:
    s = _settings(
        {
            "DJANGO_SETTINGS_MODULE": "caremodel.settings.local",
            "DATABASE_URL": "postgres://app@db.internal:5432/caremodel",
            "REDIS_URL": "redis://cache.internal:6379/0",
        }
    )
    assert s["engine"] == "django.db.backends.postgresql"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["broker"] == "redis://cache.internal:6379/0"
    assert s["eager"] is False


def test_production_settings_hide_admin_schema_and_demo() -> None:
    s = _settings(PRODUCTION_ENV)
    assert s["debug"] is False
    assert s["admin"] != "admin/"
    assert s["schema"] is False
    assert "demo" not in s["apps"]


def test_production_refuses_to_start_without_a_secret_key() -> None:
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    result = _run(env, "-c", PROBE)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("proxies", [{}, {"TRUSTED_PROXY_COUNT": "1"}], ids=["no proxy", "behind one proxy"])
def test_check_deploy_passes_without_warnings(proxies) -> None:
    result = _run({**PRODUCTION_ENV, **proxies}, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("value", ["one", "-1", "1.5", "100"])
def test_a_trusted_proxy_count_that_is_not_a_small_whole_number_stops_the_start(value) -> None:
    result = _run({**PRODUCTION_ENV, "TRUSTED_PROXY_COUNT": value}, "-c", PROBE)
    assert result.returncode != 0
    assert "TRUSTED_PROXY_COUNT must be the number of trusted proxies" in result.stderr
    assert repr(value) in result.stderr
