"""No 500 on any input (issue 8): every route of the project, every method it accepts, every
parameter it takes, each hostile value (NUL, a lone surrogate, an over-long string, integers
past BIGINT). Never a 5xx; a 4xx names the field at fault; nothing reaches the database raw.

The parameters are discovered, not listed: the route table gives the routes and their path
segments; each page is fetched once and its HTML forms and links say which query and form
fields each route takes (by the form's action); the OpenAPI schema gives the API's query
parameters and body fields; the import modules give the CSV columns. Each hostile value goes
into one parameter at a time, the others holding a valid baseline (BASELINES), so that a value
the validation lets through really reaches the service and the database. The Django admin is
framework code behind the same guard: its forms get each hostile value in every field at once.
"""

import datetime
import json
import re
import uuid
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlsplit

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from drf_spectacular.generators import SchemaGenerator

from caremodel.models import User
from caremodel.request_guard import printable
from patients.imports import activity_columns, gp_extract
from patients.models import ClinicalCode, ImportJob, PendingMatch
from patients.services.imports import import_job_run
from tests.patients.factories import PatientFactory, ProviderFactory

pytestmark = pytest.mark.django_db

HOSTILE_TEXT: dict[str, str] = {
    "nul": "a\x00b",
    "surrogate": "\ud800",
    "overlong": "x" * 5_000,
    "2**63": str(2**63),
    "-2**63-1": str(-(2**63) - 1),
    "10**30": str(10**30),
}
# JSON carries numbers as numbers too.
HOSTILE_JSON: dict[str, Any] = {**HOSTILE_TEXT, "number 2**63": 2**63, "number -2**63-1": -(2**63) - 1}
HOSTILE_JSON["number 10**30"] = 10**30
INTEGER_LIKE = {name: value for name, value in HOSTILE_TEXT.items() if value.lstrip("-").isdigit()}
# One of each kind, where every value of a kind takes the same path (framework forms, CSV cells).
ONE_OF_EACH = {name: HOSTILE_TEXT[name] for name in ("nul", "surrogate", "overlong", "10**30")}
TEXT_CONVERTERS = {"str", "slug", "path", "regex"}
# Answers that are about the caller or the resource, not a field: they need not name one.
NOT_ABOUT_A_FIELD = {401, 403, 404, 405, 409, 413, 415, 429}
ADMIN_NAMESPACE = "admin"
# Routes an authenticated user is sent away from: these are tried as an anonymous caller.
ANONYMOUS = {"login", "admin:login"}
# Query parameters a page takes that an empty page does not show (a next page's cursor, say).
EXTRA_QUERY = {
    "patients:list": ["cursor"],
    "api-patient-list": ["cursor"],
    "stratification:list": ["page"],
    "admin:autocomplete": ["term", "app_label", "model_name", "field_name"],
}
TODAY = datetime.date.today()


@dataclass
class World:
    gp: User
    admin: User
    samples: dict[str, str]
    baselines: dict[tuple[str, str], dict[str, Any]]
    files: dict[str, tuple[str, list[str], list[str]]]  # import kind -> (field, columns, one valid row)


@dataclass
class Route:
    name: str
    template: str  # "/patients/{public_id}/" with one {name} per path segment
    converters: dict[str, str]

    @property
    def is_api(self) -> bool:
        return self.template.startswith("/api/")

    @property
    def is_admin(self) -> bool:
        return self.name.startswith(f"{ADMIN_NAMESPACE}:")


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)


def _routes() -> list[Route]:
    """Every URL pattern of the project, unnamed ones included, with its path converters."""
    found: list[Route] = []

    def walk(resolver: URLResolver, prefix: str, namespace: str, converters: dict[str, str]) -> None:
        for entry in resolver.url_patterns:
            text, kinds = _template(entry.pattern)
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + text, inner, {**converters, **kinds})
            elif isinstance(entry, URLPattern):
                name = f"{namespace}{entry.name}" if entry.name else f"{namespace}{prefix}{text}"
                found.append(Route(name, "/" + prefix + text, {**converters, **kinds}))

    walk(get_resolver(), "", "", {})
    return found


def _template(pattern: Any) -> tuple[str, dict[str, str]]:
    if isinstance(pattern, RoutePattern):
        kinds = {
            name: type(conv).__name__.removesuffix("Converter").lower() for name, conv in pattern.converters.items()
        }
        return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", str(pattern)), kinds
    assert isinstance(pattern, RegexPattern)
    text = str(pattern).lstrip("^").rstrip("$")
    kinds = dict.fromkeys(re.findall(r"\(\?P<(\w+)>", text), "regex")
    return re.sub(r"\(\?P<(\w+)>[^)]*\)", r"{\1}", text), kinds


ROUTES = _routes()


def _url(route: Route, samples: dict[str, str], **override: str) -> str:
    values = {name: override.get(name, samples.get(name, "1")) for name in route.converters}
    return route.template.format(**{k: quote(_bytes(v), safe="") for k, v in values.items()})


def _bytes(value: str) -> bytes:
    """What a client can put on the wire, lone surrogates included (as their UTF-8-style bytes)."""
    return value.encode("utf-8", "surrogatepass")


def _urlencoded(pairs: list[tuple[str, Any]]) -> str:
    return "&".join(f"{quote_plus(_bytes(str(k)))}={quote_plus(_bytes(str(v)))}" for k, v in pairs)


def _multipart(pairs: list[tuple[str, Any]], files: dict[str, bytes]) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in pairs:
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
        parts.append(_bytes(head) + _bytes(str(value)) + b"\r\n")
    for name, content in files.items():
        head = f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="upload.csv"\r\n'
        parts.append(_bytes(head) + b"Content-Type: text/csv\r\n\r\n" + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


class _FormsAndLinks(HTMLParser):
    """The forms of a page (method, action, each field's current value) and its links' queries."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, list[str]]] = []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self._form)
        elif tag == "a" and "?" in a.get("href", ""):
            parts = urlsplit(a["href"])
            self.links.append((parts.path, [k for k, _ in parse_qsl(parts.query, keep_blank_values=True)]))
        elif self._form is not None and a.get("name"):
            name, kind = a["name"], a.get("type", "text")
            if tag == "input" and kind in ("radio", "checkbox"):
                if "checked" in a or name not in self._form.fields:
                    self._form.fields[name] = a.get("value", "on") if "checked" in a else ""
            elif tag == "select":
                self._select = name
                self._form.fields.setdefault(name, "")
            elif tag in ("input", "textarea", "button"):
                self._form.fields.setdefault(name, a.get("value", "") if kind != "submit" else "")
        elif tag == "option" and self._form is not None and self._select and "selected" in a:
            self._form.fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def _route_of(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.url_name:
        return match.view_name
    return next((r.name for r in ROUTES if re.fullmatch(_as_regex(r), path)), None)


def _as_regex(route: Route) -> str:
    return re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(route.template))


_DISCOVERED: dict[str, dict[str, dict[str, str]]] = {}  # route -> method -> {field: current value}


def _prepare(world: World) -> dict[str, dict[str, dict[str, str]]]:
    """Once per run: who calls each route, then what each route takes."""
    if not _DISCOVERED:
        for route in ROUTES:
            _find_caller(world, route)
        _DISCOVERED.update(_discover(world))
    return _DISCOVERED


def _discover(world: World) -> dict[str, dict[str, dict[str, str]]]:
    """Fetch every page once, as its caller, and file each form and link under the route it targets."""
    found: dict[str, dict[str, dict[str, str]]] = {}
    for route in ROUTES:
        if route.is_api:
            continue
        url = _url(route, world.samples)
        response = _client(world, route).get(url)
        if "text/html" not in response.get("Content-Type", "") or getattr(response, "streaming", False):
            continue
        parser = _FormsAndLinks()
        parser.feed(response.content.decode())
        for form in parser.forms:
            target = _route_of(urlsplit(form.action).path or urlsplit(url).path)
            if target:
                found.setdefault(target, {}).setdefault(form.method, {}).update(
                    {k: v for k, v in form.fields.items() if k != "csrfmiddlewaretoken"}
                )
        for path, names in parser.links:
            target = _route_of(path or urlsplit(url).path)
            if target:
                found.setdefault(target, {}).setdefault("get", {}).update(dict.fromkeys(names, ""))
    return found


_SCHEMA: dict[str, Any] = {}


def _schema() -> dict[str, Any]:
    if not _SCHEMA:
        _SCHEMA.update(SchemaGenerator().get_schema(request=None, public=True))
    return _SCHEMA


def _resolve_ref(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = _schema()["components"]["schemas"][name]
    return schema


def _api_operations(route: Route) -> dict[str, tuple[list[str], str | None, list[str]]]:
    """method -> (query parameters, body media type, body fields), from the OpenAPI schema."""
    operations = {}
    for method, operation in _schema()["paths"].get(route.template, {}).items():
        query = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
        media, body = None, []
        for media_type, content in operation.get("requestBody", {}).get("content", {}).items():
            media, body = media_type, list(_resolve_ref(content["schema"]).get("properties", {}))
            break
        operations[method] = (query, media, body)
    return operations


@pytest.fixture
def world(area, gp, admin, gp_b, p1) -> World:
    code = ClinicalCode.objects.filter(long_term_condition__gt="").first() or ClinicalCode.objects.create(
        code="HOSTILE1", term="Test condition", long_term_condition="dementia"
    )
    provider = ProviderFactory()
    twin = PatientFactory(
        registered_practice=p1.registered_practice,
        given_name=p1.given_name,
        family_name=p1.family_name,
        date_of_birth=p1.date_of_birth,
    )
    match = PendingMatch.objects.create(
        source="activity", fingerprint="hostile", line_number=2, given_name="Ada", family_name="Lovelace"
    )
    samples = {
        "public_id": str(p1.public_id),
        "ods_code": p1.registered_practice.ods_code,
        "match_id": str(match.pk),
        "kind": "activity",
        "object_id": str(gp_b.pk),
        "id": str(gp_b.pk),
        "content_type_id": str(ContentType.objects.get_for_model(User).pk),
        "app_label": "caremodel",
        "url": "nothing-here/",
    }
    born = p1.date_of_birth.isoformat()
    event = {"kind": "fall", "event_date": "2024-01-02", "with_fracture": "no"}
    baselines: dict[tuple[str, str], dict[str, Any]] = {
        ("login", "post"): {"username": gp.username, "password": "not the password"},
        ("patients:lookup", "post"): {"nhs_number": p1.nhs_number},
        ("patients:list", "post"): {"q": "lovelace"},
        ("patients:add_condition", "post"): {"code": code.code},
        ("patients:add_carer", "post"): {"carer_kind": "person", "carer_name": "Jo", "relationship": "daughter"},
        ("patients:add_event", "post"): {
            "kind": "fall",
            "event_date_day": "2",
            "event_date_month": "1",
            "event_date_year": "2024",
            "with_fracture": "no",
        },
        ("patients:merge", "post"): {"keep": str(p1.public_id), "remove": str(twin.public_id)},
        ("patients:pending_match_decide", "post"): {"decision": "reject"},
        ("patients:import_upload", "post"): {"kind": "activity", "strict": ""},
        ("api-patient-lookup", "post"): {"nhs_number": p1.nhs_number},
        ("api-patient-search", "post"): {"q": "lovelace"},
        ("api-patient-registers", "patch"): {"version": p1.version, "communication_needs": "Large print"},
        ("api-patient-conditions", "post"): {"code": code.code},
        ("api-patient-carers", "post"): {"relationship": "daughter", "carer_name": "Jo"},
        ("api-patient-events", "post"): {
            **event,
            "with_fracture": False,
            "source_system": "sus",
            "source_id": "e1",
            "provider": provider.ods_code,
        },
        ("api-import", "post"): {"strict": "false"},
    }
    activity = {
        "nhs_number": p1.nhs_number,
        "event_type": "emergency_admission",
        "event_date": "2024-01-02",
        "provider_code": provider.ods_code,
        "source_id": "csv-1",
        "source_system": "sus",
        "length_of_stay": "3",
        "discharge_destination": "",
        "with_fracture": "",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": born,
        "postcode": "TN23 1AA",
    }
    gp_row = {
        "nhs_number": p1.nhs_number,
        "given_name": "Ada",
        "family_name": "Lovelace",
        "date_of_birth": born,
        "sex": "f",
        "postcode": "TN23 1AA",
        "practice_ods_code": p1.registered_practice.ods_code,
        "conditions": code.code,
        "date_of_death": "",
    }
    files = {
        "activity": ("file", [*activity_columns.REQUIRED, *activity_columns.OPTIONAL], []),
        "gp_extract": ("file", [*gp_extract.REQUIRED, *gp_extract.OPTIONAL], []),
    }
    files["activity"][2].extend(activity[c] for c in files["activity"][1])
    files["gp_extract"][2].extend(gp_row[c] for c in files["gp_extract"][1])
    return World(gp=gp, admin=admin, samples=samples, baselines=baselines, files=files)


def _caller(world: World, route: Route) -> User | None:
    if route.name in ANONYMOUS:
        return None
    if route.is_admin or route.name in _ADMIN_ROUTES:
        return world.admin
    return world.gp


_ADMIN_ROUTES: set[str] = set()
_CLIENTS: dict[int | None, Client] = {}  # one logged-in client per caller, for the current test


def _client(world: World, route: Route) -> Client:
    user = _caller(world, route)
    key = None if user is None else user.pk
    if key in _CLIENTS and route.name != "logout":  # logging out ends the session
        return _CLIENTS[key]
    client = Client()
    if user is not None:
        client.force_login(user)
    _CLIENTS[key] = client
    return client


def _find_caller(world: World, route: Route) -> None:
    """The GP where the GP may use the route, else the administrator (the admin-only pages)."""
    if route.is_admin or route.name in ANONYMOUS:
        return
    response = _client(world, route).get(_url(route, world.samples))
    if response.status_code == 405:
        response = _client(world, route).post(_url(route, world.samples), {})
    if response.status_code == 403:
        _ADMIN_ROUTES.add(route.name)


# --- the checks -------------------------------------------------------------------------------


# A digits-only name search is an NHS-number search, refused as such; and the list refuses
# digits in either of them, in a URL, under the name q.
ALIASES = {"q": ("nhs_number",), "nhs_number": ("q",)}


def _wire(name: str) -> str:
    """The name as the server reads it: bytes that are not UTF-8 become U+FFFD."""
    return _bytes(name).decode("utf-8", "replace")


def _names_field(response: Any, *names: str) -> bool:
    """Whether a 4xx answer names the field: a JSON key (or its message), the error summary's
    link to the field, the guard's page, or an import report's column."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    text = content.decode("utf-8", "replace")
    is_json = response.get("Content-Type", "").startswith("application/json")
    body = json.loads(text) if is_json else None
    for name in {n for given in names for n in (given, _wire(given), *ALIASES.get(given, ()))}:
        shown = printable(name).rstrip("…")  # a long name may be shown cut short
        if is_json and (name in _keys(body) or shown in text or json.dumps(shown)[1:-1] in text):
            return True
        if not is_json and (f'href="#id_{name}' in text or shown in text):
            return True
    return False


def _keys(body: Any) -> set[str]:
    if isinstance(body, dict):
        return set(body) | {k for v in body.values() for k in _keys(v)} | {str(v) for v in body.values()}
    if isinstance(body, list):
        return {k for v in body for k in _keys(v)}
    return set()


def _check(response: Any, route: Route, method: str, where: str, *names: str) -> None:
    status = response.status_code
    assert status < 500, f"{method.upper()} {route.name} {where}: {status}"
    if names and 400 <= status < 500 and status not in NOT_ABOUT_A_FIELD:
        shown = [printable(name) for name in names]
        assert _names_field(response, *names), f"{method.upper()} {route.name} {where}: {status} names none of {shown}"


def _send(
    client: Client, route: Route, method: str, url: str, data: dict[str, Any], media: str | None, files: Any = None
) -> Any:
    if method == "get":
        query = _urlencoded(list(data.items()))
        return client.get(f"{url}?{query}" if query else url)
    if media == "application/json":
        return getattr(client, method)(url, json.dumps(data), content_type="application/json")
    if files is not None or media == "multipart/form-data":
        body, content_type = _multipart(list(data.items()), files or {})
        return getattr(client, method)(url, body, content_type=content_type)
    return getattr(client, method)(
        url, _urlencoded(list(data.items())), content_type="application/x-www-form-urlencoded"
    )


def _csv(columns: list[str], row: list[str], column: str | None = None, value: str = "") -> bytes:
    cells = [value if c == column else v for c, v in zip(columns, row, strict=True)]
    text = ",".join(columns) + "\n" + ",".join('"' + c.replace('"', '""') + '"' for c in cells) + "\n"
    return _bytes(text)


def _assert_nothing_stored_raw() -> None:
    """No text column holds NUL (SQLite would store it; PostgreSQL refuses, which is a 500 above)
    and none holds more than its declared length (SQLite does not enforce it). One query a table."""
    quote_name = connection.ops.quote_name
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        faults = []
        for f in model._meta.concrete_fields:
            if not isinstance(f, models.CharField | models.TextField):
                continue
            column = quote_name(f.column)
            if connection.vendor == "sqlite":  # LIKE stops at a NUL in its pattern: look for the character
                faults.append((f"instr({column}, char(0)) > 0", f"NUL in {f.name}"))
            if f.max_length:
                faults.append((f"length({column}) > {int(f.max_length)}", f"more than {f.max_length} in {f.name}"))
        if not faults:
            continue
        checks = ", ".join(f"CASE WHEN {condition} THEN 1 ELSE 0 END" for condition, _ in faults)
        where = " OR ".join(condition for condition, _ in faults)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {checks} FROM {quote_name(model._meta.db_table)} WHERE {where} LIMIT 1")  # noqa: S608
            row = cursor.fetchone()
        assert row is None, f"{model._meta.label}: " + ", ".join(
            d for (_, d), hit in zip(faults, row, strict=True) if hit
        )


@pytest.mark.parametrize("route", ROUTES, ids=[r.name for r in ROUTES])
def test_no_route_answers_a_hostile_value_with_a_server_error(route: Route, world: World) -> None:
    _CLIENTS.clear()
    discovered = _prepare(world)
    url = _url(route, world.samples)

    # Path segments that take text (or digits) get each hostile value.
    for segment, converter in route.converters.items():
        values = HOSTILE_TEXT if converter in TEXT_CONVERTERS else INTEGER_LIKE if converter == "int" else {}
        for label, value in values.items():
            response = _client(world, route).get(_url(route, world.samples, **{segment: value}))
            # A fault in a path segment is named as the segment or as the web address (the guard's word).
            _check(response, route, "get", f"path {segment}={label}", segment, "path")

    if route.is_api:
        methods = {
            m: (q + EXTRA_QUERY.get(route.name, []), media, body)
            for m, (q, media, body) in _api_operations(route).items()
        }
    else:
        pages = discovered.get(route.name, {})
        get_fields = list(pages.get("get", {})) + EXTRA_QUERY.get(route.name, [])
        methods = {"get": (get_fields, None, [])}
        post = {**pages.get("post", {}), **world.baselines.get((route.name, "post"), {})}
        methods["post"] = ([], "form", list(post))

    for method, (query, media, body_fields) in methods.items():
        baseline = {**discovered.get(route.name, {}).get(method, {}), **world.baselines.get((route.name, method), {})}
        baseline = {k: v for k, v in baseline.items() if k in body_fields} if method != "get" else {}
        files = _upload(world, route, baseline)
        for name in files or {}:
            baseline.pop(name, None)
            body_fields = [f for f in body_fields if f != name]  # files get hostile cells instead
        probe = _send(_client(world, route), route, method, url, baseline, media, files)
        if probe.status_code == 405:
            continue
        _check(probe, route, method, "baseline")
        if (route.name, method) in world.baselines:
            assert probe.status_code < 400, f"{route.name} {method}: the baseline is refused ({probe.status_code})"

        # Hostile parameter names: the guard names them, or the route ignores them.
        for label, value in HOSTILE_TEXT.items():
            target = {**baseline, value: "1"} if method != "get" else {value: "1"}
            response = _send(
                _client(world, route), route, method, url, target, media if method != "get" else None, files
            )
            # A multipart part whose name is too long is refused as an unreadable body.
            _check(response, route, method, f"parameter name {label}", value, "body")

        hostile = HOSTILE_JSON if media == "application/json" else HOSTILE_TEXT
        query_fields = query if method == "get" or route.is_api else []
        for name in query_fields:
            for label, value in HOSTILE_TEXT.items():
                response = _client(world, route).get(f"{url}?{_urlencoded([(name, value)])}")
                _check(response, route, "get", f"query {name}={label}", name)

        if method == "get":
            continue
        if route.is_admin:
            # Framework forms: every field hostile at once (none can pass, so none reaches a save).
            for label, value in ONE_OF_EACH.items():
                response = _send(_client(world, route), route, method, url, dict.fromkeys(body_fields, value), media)
                _check(response, route, method, f"every field={label}", *body_fields)
            continue
        for name in body_fields:
            for label, value in hostile.items():
                response = _send(_client(world, route), route, method, url, {**baseline, name: value}, media, files)
                _check(response, route, method, f"field {name}={label}", name)
        if files is not None:
            _check_csv_cells(world, route, method, url, baseline, media)
    _assert_nothing_stored_raw()


def _upload(world: World, route: Route, baseline: dict[str, Any]) -> dict[str, bytes] | None:
    """A valid file for an import route (which kind: the path's, or the form's `kind` field)."""
    if route.name not in ("api-import", "patients:import_upload"):
        return None
    kind = "activity" if route.is_api else baseline.get("kind", "activity")
    field_name, columns, row = world.files[kind.replace("-", "_")]
    return {field_name: _csv(columns, row)}


def _check_csv_cells(
    world: World, route: Route, method: str, url: str, baseline: dict[str, Any], media: str | None
) -> None:
    """Each hostile value in each column of an otherwise valid file: the report names the column."""
    kinds = ["activity", "gp_extract"]
    for kind in kinds:
        field_name, columns, row = world.files[kind]
        data = dict(baseline)
        if route.is_api:
            target = _url(route, world.samples, kind=kind.replace("_", "-"))
        else:
            target, data["kind"] = url, kind
        for column in columns:
            for label, value in ONE_OF_EACH.items():
                content = _csv(columns, row, column, value)
                response = _send(_client(world, route), route, method, target, data, media, {field_name: content})
                assert response.status_code < 500, f"{route.name} {kind} column {column}={label}"
                if label in ("nul", "surrogate"):
                    # Refused, naming the column (NUL) or the file (not UTF-8), never applied. Imports run
                    # as jobs after the request commits: run the job this request queued, read its report.
                    text = response.content.decode("utf-8", "replace")
                    if response.status_code in (202, 302):
                        job = ImportJob.objects.latest("id")
                        text = json.dumps(import_job_run(job_id=job.pk).report)
                    assert column in text or "file" in text, f"{route.name} {kind} column {column}={label}"
