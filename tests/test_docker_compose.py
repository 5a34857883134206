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


# The database roles (docs/adr/0012) and the proxy (docs/adr/0013).
ROLES_SCRIPT = "deploy/postgres/10-caremodel-roles.sh"
GRANTS_SCRIPT = "deploy/postgres/app-grants.sql"
NGINX_CONF = "deploy/nginx.conf"


def _filled(value: str) -> str:
    """A value with its ${VARIABLE:?message} interpolations filled in, as compose does."""
    return re.sub(r"\$\{[^}]*\}", "value", value)


def _mounts(service: dict[str, Any]) -> dict[str, str]:
    """Container path -> file in the repository, for the service's bind mounts."""
    mounts = {}
    for volume in service.get("volumes", []):
        source, target, *_ = volume.split(":")
        if source.startswith("./"):
            mounts[target] = source[2:]
    return mounts


def test_migrations_run_as_the_owner_and_the_app_as_a_role_of_its_own(services) -> None:
    owner = urlsplit(_filled(environment(services["migrate"])["DATABASE_URL"]))
    app = {name: urlsplit(_filled(environment(services[name])["DATABASE_URL"])) for name in APP_SERVICES}
    assert owner.username == "caremodel_owner"
    assert {url.username for url in app.values()} == {"caremodel_app"}
    assert {(url.hostname, url.path) for url in app.values()} == {(owner.hostname, owner.path)}
    for name in ("migrate", *APP_SERVICES):
        assert environment(services[name])["DATABASE_URL"].count("${") == 1, "the password comes from the environment"
    roles = (ROOT / ROLES_SCRIPT).read_text()
    assert "CREATE ROLE caremodel_owner LOGIN" in roles
    assert "CREATE ROLE caremodel_app LOGIN" in roles


def test_the_roles_script_runs_on_postgres_first_start(services) -> None:
    postgres = services["postgres"]
    mounts = _mounts(postgres)
    assert mounts["/docker-entrypoint-initdb.d/10-caremodel-roles.sh"] == ROLES_SCRIPT
    script = ROOT / ROLES_SCRIPT
    assert script.stat().st_mode & 0o111, "the postgres image runs executable scripts, and sources the others"
    env = environment(postgres)
    for variable in re.findall(r'"\$(CAREMODEL_[A-Z_]+)"', script.read_text()):
        assert env[variable].startswith("${"), variable


def test_the_app_role_is_never_made_a_member_of_the_owner() -> None:
    roles = (ROOT / ROLES_SCRIPT).read_text()
    assert "GRANT caremodel_app TO caremodel_owner;" in roles
    assert not re.search(r"GRANT\s+caremodel_owner\s+TO", roles)
    assert not re.search(r"SUPERUSER|BYPASSRLS|CREATEROLE", roles.split("<<'SQL'", 1)[1])


def test_grants_are_applied_as_the_owner_after_migrations_and_before_the_app_starts(services) -> None:
    grants = services["db-grants"]
    args = command(grants)
    assert args[0] == "psql"
    assert urlsplit(args[1]).username == "caremodel_owner"
    assert {"owner=caremodel_owner", "app=caremodel_app", "ON_ERROR_STOP=1"} <= set(args)
    assert _mounts(grants)[args[args.index("-f") + 1]] == GRANTS_SCRIPT
    assert environment(grants)["PGPASSWORD"].startswith("${")
    assert grants["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in APP_SERVICES:
        assert services[name]["depends_on"]["db-grants"]["condition"] == "service_completed_successfully", name
    sql = (ROOT / GRANTS_SCRIPT).read_text()
    assert 'REVOKE ALL ON caremodel_auditevent FROM PUBLIC, :"app";' in sql
    assert 'GRANT SELECT, INSERT ON caremodel_auditevent TO :"app";' in sql
    assert sql.count('ALTER DEFAULT PRIVILEGES FOR ROLE :"owner"') == 2


def test_only_nginx_is_reachable_from_outside(services) -> None:
    published = {name for name, service in services.items() if service.get("ports")}
    assert published == {"nginx"}
    assert "ports" not in services["web"]


def test_nginx_proxies_to_gunicorn_and_says_who_the_client_was(services) -> None:
    nginx = services["nginx"]
    assert nginx["image"].startswith("nginx:")
    assert _mounts(nginx)["/etc/nginx/conf.d/default.conf"] == NGINX_CONF
    conf = (ROOT / NGINX_CONF).read_text()
    bind = command(services["web"])[command(services["web"]).index("--bind") + 1]
    assert re.search(rf"server\s+web:{bind.rsplit(':', 1)[1]};", conf)
    assert re.search(r"proxy_pass\s+http://caremodel_web;", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-For\s+\$proxy_add_x_forwarded_for;", conf)
    assert re.search(r"proxy_set_header\s+X-Forwarded-Proto\s+\$scheme;", conf)
    assert re.search(r"proxy_set_header\s+Host\s+\$host;", conf)
    assert re.search(r"listen\s+443\s+ssl;", conf)


def test_the_app_trusts_exactly_the_one_proxy_in_front_of_it(services) -> None:
    """nginx is the only hop between a client and gunicorn, so the app trusts one."""
    in_front_of_web = [name for name, service in services.items() if "web" in service.get("depends_on", {})]
    assert in_front_of_web == ["nginx"]
    for name in APP_SERVICES:
        assert environment(services[name])["TRUSTED_PROXY_COUNT"] == "1", name


def test_web_and_worker_share_the_uploads_volume_at_media_root(services) -> None:
    """An import uploaded to web is read by a worker: both mount the same volume where MEDIA_ROOT points."""
    for name in ("web", "worker"):
        media_root = environment(services[name])["MEDIA_ROOT"]
        assert f"uploads:{media_root}" in services[name]["volumes"], name
    assert "/var/lib/caremodel/uploads" in DOCKERFILE.read_text()
