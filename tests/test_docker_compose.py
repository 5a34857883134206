"""docker-compose.yml, read as data (Docker itself is not needed): the services exist, run
the right commands from one image, share one settings module and environment, the broker
never evicts, and exactly one beat scheduler runs."""

import importlib.util
import re
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
APP_SERVICES = ("web", "worker", "beat")
SETTINGS_MODULE = "caremodel.settings.production"


@pytest.fixture(scope="module")
def services() -> dict[str, dict[str, Any]]:
    compose = yaml.safe_load(COMPOSE_FILE.read_text())
    return compose["services"]


def command(service: dict[str, Any]) -> list[str]:
    raw = service.get("command", [])
    return shlex.split(raw) if isinstance(raw, str) else [str(part) for part in raw]


def environment(service: dict[str, Any]) -> dict[str, str]:
    raw = service.get("environment", {})
    if isinstance(raw, list):
        return dict(item.split("=", 1) for item in raw)
    return {key: str(value) for key, value in raw.items()}


def test_the_services_exist(services) -> None:
    assert {"postgres", "redis", "web", "worker", "beat"} <= set(services)


def test_postgres_and_redis_images(services) -> None:
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_redis_never_evicts_and_persists(services) -> None:
    args = command(services["redis"])
    assert args[0] == "redis-server"
    assert args[args.index("--maxmemory-policy") + 1] == "noeviction"
    assert args[args.index("--appendonly") + 1] == "yes"


def test_web_runs_gunicorn_on_the_wsgi_application(services) -> None:
    assert command(services["web"])[:2] == ["gunicorn", "caremodel.wsgi:application"]


def test_worker_runs_a_celery_worker(services) -> None:
    args = command(services["worker"])
    assert args[:4] == ["celery", "-A", "caremodel", "worker"]
    assert not {"-B", "--beat"} & set(args), "the worker must not embed a second beat scheduler"


def test_beat_runs_celery_beat(services) -> None:
    assert command(services["beat"])[:4] == ["celery", "-A", "caremodel", "beat"]


def test_exactly_one_beat(services) -> None:
    beats = [
        name
        for name, service in services.items()
        if re.search(r"\bcelery\b.*\bbeat\b", " ".join(command(service))) or {"-B", "--beat"} & set(command(service))
    ]
    assert beats == ["beat"]
    assert services["beat"].get("deploy", {}).get("replicas", 1) == 1


def test_app_services_share_one_image_built_from_the_dockerfile(services) -> None:
    images = {services[name].get("image") for name in APP_SERVICES}
    builds = [services[name].get("build") for name in APP_SERVICES]
    assert len(images) == 1
    assert builds[0] and all(build == builds[0] for build in builds)
    context = builds[0]["context"] if isinstance(builds[0], dict) else builds[0]
    dockerfile = builds[0].get("dockerfile", "Dockerfile") if isinstance(builds[0], dict) else "Dockerfile"
    assert (ROOT / context / dockerfile).resolve() == DOCKERFILE


def test_app_services_share_the_settings_module_and_environment(services) -> None:
    environments = [environment(services[name]) for name in APP_SERVICES]
    assert all(env == environments[0] for env in environments)
    env = environments[0]
    assert env["DJANGO_SETTINGS_MODULE"] == SETTINGS_MODULE
    assert {"DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS"} <= set(env)
    assert importlib.util.find_spec(SETTINGS_MODULE) is not None


def test_app_environment_points_at_the_compose_databases(services) -> None:
    env = environment(services["web"])

    def url(value: str):  # with ${VARIABLE:?message} interpolations filled in, as compose does
        return urlsplit(re.sub(r"\$\{[^}]*\}", "value", value))

    database, broker = url(env["DATABASE_URL"]), url(env["REDIS_URL"])
    assert database.scheme.startswith("postgres") and database.hostname == "postgres"
    assert broker.scheme == "redis" and broker.hostname == "redis"


def test_no_secret_is_written_in_the_file(services) -> None:
    env = environment(services["web"])
    assert env["DJANGO_SECRET_KEY"].startswith("${")
    assert environment(services["postgres"])["POSTGRES_PASSWORD"].startswith("${")


def test_app_services_wait_for_postgres_and_redis(services) -> None:
    for name in APP_SERVICES:
        depends_on = services[name].get("depends_on", {})
        assert {"postgres", "redis"} <= set(depends_on), name


def test_the_image_defaults_to_the_same_settings_module() -> None:
    dockerfile = DOCKERFILE.read_text()
    assert f"DJANGO_SETTINGS_MODULE={SETTINGS_MODULE}" in dockerfile
    assert re.search(r"^USER (?!root)\S+", dockerfile, re.MULTILINE), "the app should not run as root"
