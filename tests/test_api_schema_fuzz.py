"""The API's contract (RELIABILITY 11, issue 8): property-based runs from the OpenAPI schema once
per role, positive and negative data, every check: no server errors, responses conform to the
schema, invalid data rejected, valid data accepted where the schema can say what is valid, auth
not ignored. Also: every answer under /api/ is JSON, the schema states the rules the server
enforces, and pagination links are URL-encoded and keep the filters."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, connection
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

pytestmark = pytest.mark.django_db
ROLES = ("gp", "care_coordinator", "spa_clinician", "mdt_chair", "commissioner", "admin")
FUZZ = settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@pytest.fixture
def api_operations():
    spec = SchemaGenerator().get_schema(request=None, public=True)
    loaded = schemathesis.openapi.from_dict(spec)
    loaded.app = get_wsgi_application()
    operations = [result.ok() for result in loaded.get_all_operations()]
    assert operations, "the schema lists no operations"
    # Requests go straight to the WSGI handler, so, as Django's own test client does, keep the
    # request signals from closing the test's connection (it sits inside the test transaction).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield operations
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.postgres
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["positive", "negative"])
@pytest.mark.parametrize("role", ROLES)
def test_api_holds_to_its_schema(role, mode, request, api_operations, p1, p2) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the schema runs are PostgreSQL's (CI runs them there)")
    token = Token.objects.get_or_create(user=request.getfixturevalue(role))[0].key
    # P1's record in the path (the GP and the cluster's staff have a relationship with P1), so the
    # cases reach the services rather than stopping at 404 for a random id.
    known = {"public_id": str(p1.public_id)}
    for operation in api_operations:
        path_parameters = {k: v for k, v in known.items() if f"{{{k}}}" in operation.path}
        if mode.is_negative and not _has_more_than_a_path(operation):
            path_parameters = {}  # nothing else to make invalid: the id itself is the negative case

        strategy = operation.as_strategy(mode, path_parameters=path_parameters)
        _fuzz(strategy, token, _inapplicable(operation.method, operation.path))


def _fuzz(strategy, token: str, excluded: list) -> None:
    @FUZZ
    @given(case=strategy)
    def check(case) -> None:
        # The only cookie the schema declares is the session's: a generated one would be taken for
        # the credentials in use, which are the token (the auth checks strip both).
        case.cookies = {}
        case.call_and_validate(headers={"Authorization": f"Token {token}"}, excluded_checks=excluded)

    check()


def _has_more_than_a_path(operation) -> bool:
    definition = operation.definition.raw
    return bool(definition.get("requestBody")) or any(p.get("in") == "query" for p in definition.get("parameters", []))


# Where "schema-valid data is accepted" (positive_data_acceptance) cannot hold, and why: the server
# applies a rule no JSON Schema can state. Every other check runs on every operation.
RULES_BEYOND_THE_SCHEMA = {
    # An NHS number of the right shape can fail its Modulus 11 check digit (400); a cursor is valid
    # only as the server issued it; a name search needs a letter, and digits stay out of URLs.
    ("GET", "/api/v1/patients/"): "opaque cursor, Modulus 11, digits refused in the URL",
    ("POST", "/api/v1/patients/search/"): "opaque cursor, Modulus 11, a name search needs a letter",
    ("POST", "/api/v1/patients/lookup/"): "Modulus 11",
    # Staff must be eligible for the patient's practice (ids from the database); dates are judged
    # against today and the date of birth; codes come from the code list; events' details depend on
    # their kind; a provider or a file's rows must exist and be valid (the import answers 422).
    ("PATCH", "/api/v1/patients/{public_id}/registers/"): "eligible staff ids",
    ("POST", "/api/v1/patients/{public_id}/conditions/"): "the code list, dates against today and birth",
    ("POST", "/api/v1/patients/{public_id}/carers/"): "dates against today and birth",
    ("POST", "/api/v1/patients/{public_id}/events/"): "dates, details that depend on the kind, providers",
    ("POST", "/api/v1/imports/{kind}/"): "the file's rows",
    # The nested lists' cursors are valid only as the server issued them (DRF's cursor pagination).
    ("GET", "/api/v1/patients/{public_id}/conditions/"): "opaque cursor",
    ("GET", "/api/v1/patients/{public_id}/carers/"): "opaque cursor",
    ("GET", "/api/v1/patients/{public_id}/events/"): "opaque cursor",
}


def _inapplicable(method: str, path: str) -> list:
    return [positive_data_acceptance] if (method.upper(), path) in RULES_BEYOND_THE_SCHEMA else []


@pytest.mark.parametrize("authorization", [None, "Token 0123456789abcdef0123456789abcdef01234567", "Bearer x"])
def test_api_refuses_anonymous_and_bad_credentials(authorization, api_operations, p1) -> None:
    headers = {"Authorization": authorization} if authorization else {}
    for operation in api_operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def check(case) -> None:
            response = case.call(headers=headers)
            # Text with NUL or a lone surrogate, or a number past BIGINT, is refused at the door (400, naming
            # the parameter) before anyone is authenticated; it reveals nothing, and nothing reaches the database.
            door_rules = ("NUL", "surrogate", "whole number from")
            refused_at_the_door = response.status_code == 400 and any(rule in response.text for rule in door_rules)
            assert response.status_code in (401, 403) or refused_at_the_door

        check()


# --- every answer under /api/ is JSON ------------------------------------------------------------


@pytest.fixture
def api_client(gp):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=gp).key}")
    return client


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status"),
    [
        ("get", "/api/v1/patients/not-a-uuid/", {}, 404),
        ("get", "/api/v1/nothing-here/", {}, 404),
        ("get", "/api/v1/patients/00000000-0000-0000-0000-000000000000/", {}, 404),
        ("delete", "/api/v1/patients/lookup/", {}, 405),
        ("post", "/api/v1/patients/lookup/", {"data": "nhs_number=1", "content_type": "text/plain"}, 415),
        ("post", "/api/v1/patients/lookup/", {"data": "{not json", "content_type": "application/json"}, 400),
        ("get", "/api/v1/patients/?q=%00", {}, 400),
    ],
    ids=["malformed-id", "no-such-route", "unknown-id", "405", "415", "bad-json", "nul-in-query"],
)
def test_every_api_answer_is_json(api_client, settings, method, path, kwargs, status) -> None:
    settings.DEBUG = False
    response = getattr(api_client, method)(path, **kwargs)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()


def test_a_server_error_under_the_api_is_json(api_client, settings, p1, monkeypatch) -> None:
    """A fault no handler expects (here, a service that breaks) is still answered in JSON."""
    settings.DEBUG = False

    def broken(**kwargs):
        raise RuntimeError("a fault nobody planned for")

    monkeypatch.setattr("patients.api.records.patient_open", broken)
    api_client.raise_request_exception = False
    response = api_client.get(f"/api/v1/patients/{p1.public_id}/")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json() == {"detail": "Something went wrong. It has been logged."}


# --- the schema states the rules the server enforces ---------------------------------------------


def _component(schema: dict, name: str) -> dict:
    return schema["components"]["schemas"][name]


def test_the_schema_states_the_rules_the_server_enforces() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    lookup = _component(schema, "NHSNumberLookup")
    assert lookup["required"] == ["nhs_number"]
    nhs = lookup["properties"]["nhs_number"]
    assert nhs["maxLength"] == 20 and nhs["pattern"]
    import re

    assert re.search(nhs["pattern"], "943 476 5919") and not re.search(nhs["pattern"], "943476591X")

    search = _component(schema, "PatientSearch")["properties"]
    assert search["cluster"]["minimum"] == 1 and search["cluster"]["maximum"] == 2**63 - 1
    assert search["page_size"]["minimum"] == 1 and search["page_size"]["maximum"] == 100
    assert search["q"]["maxLength"] == 100 and search["cursor"]["maxLength"] == 500
    assert _component(schema, "AgeBandEnum")["enum"] == ["0-64", "65-74", "75-84", "85+"]
    assert "AgeBandEnum" in str(search["age_band"]) and "ConditionEnum" in str(search["condition"])

    # A PATCH body's component is the "Patched" one, whose fields drf-spectacular lists as optional.
    registers = _component(schema, "PatchedRegistersUpdate")
    assert registers["properties"]["version"]["maximum"] == 2**31 - 1
    assert registers["properties"]["accountable_gp"]["maximum"] == 2**63 - 1

    event = _component(schema, "EventInput")
    assert set(event["required"]) >= {"kind", "event_date", "source_system", "source_id"}
    assert event["properties"]["length_of_stay_days"]["maximum"] == 3650
    assert event["properties"]["event_date"]["format"] == "date"
    assert "KindEnum" in str(event["properties"]["kind"]) or "enum" in event["properties"]["kind"]
    assert event["properties"]["source_id"]["maxLength"] == 64


def test_a_number_of_the_right_shape_that_fails_modulus_11_is_refused(api_client, p1) -> None:
    """The pattern says what it can; the check digit is the server's to judge, and it does."""
    wrong_check_digit = p1.nhs_number[:9] + str((int(p1.nhs_number[9]) + 1) % 10)
    response = api_client.post("/api/v1/patients/lookup/", {"nhs_number": wrong_check_digit}, format="json")
    assert response.status_code == 400
    assert "nhs_number" in response.json()


# --- pagination links ----------------------------------------------------------------------------


def test_next_links_are_url_encoded_and_keep_the_filters(api_client, area) -> None:
    """Filter values with a space, `&`, `#`, `+` and an accented letter survive the round trip."""
    from urllib.parse import parse_qs, urlsplit

    from tests.patients.factories import PatientFactory

    # Only filters that identify nobody travel in a GET; a practice code that needs encoding stands in.
    area.practice_a.ods_code = "Ë&#+ 1"
    area.practice_a.save()
    for n in range(3):
        PatientFactory(registered_practice=area.practice_a, family_name=f"Zoë{n}", postcode="TN23 1AA")
    query = {"practice": "Ë&#+ 1", "page_size": "1"}
    response = api_client.get("/api/v1/patients/", query)
    assert response.status_code == 200, response.json()
    link = response.json()["next"]
    assert link is not None
    for raw in (" ", "ë", "#", "&#", "+&"):
        assert raw not in link.split("?", 1)[1]
    params = parse_qs(urlsplit(link).query)
    assert params == {"cursor": [response.json()["next_cursor"]], "practice": ["Ë&#+ 1"], "page_size": ["1"]}
    following = api_client.get(link)
    assert following.status_code == 200
    assert [row["family_name"] for row in following.json()["results"]] == ["Zoë1"]
