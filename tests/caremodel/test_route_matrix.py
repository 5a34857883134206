"""Every URL pattern, every role: the status comes from one declarative table.
A new route that is not in the table fails this test until someone decides who may use it."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "gp", "care_coordinator", "spa_clinician", "mdt_chair", "commissioner", "admin")
LOGIN = "login"  # anonymous page requests are redirected to the login page

# route name -> (method, args key, {role: expected status})
ALL_200 = dict.fromkeys(ROLES[1:], 200)
P1_RECORD: dict[str, int | str] = {
    "anonymous": 403,
    "gp": 200,
    "care_coordinator": 200,
    "mdt_chair": 200,
    "spa_clinician": 404,
    "admin": 404,
    "commissioner": 403,
}
ADMIN_ONLY = {**dict.fromkeys(ROLES[1:], 403), "admin": 200}
CLINICAL_200_COMMISSIONER_403 = {**dict.fromkeys(ROLES[1:], 200), "commissioner": 403, "admin": 200}
ROUTES: dict[str, tuple[str, str | None, dict[str, int | str]]] = {
    "home": ("get", None, {"anonymous": LOGIN, **ALL_200}),
    "health": ("get", None, {"anonymous": 200, **ALL_200}),
    "accessibility": ("get", None, {"anonymous": 200, **ALL_200}),
    "login": ("get", None, {"anonymous": 200, **dict.fromkeys(ROLES[1:], 302)}),
    "logout": ("get", None, {"anonymous": 200, **ALL_200}),
    "directory": ("get", None, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 403), "admin": 200}),
    "patients:lookup": ("get", None, {"anonymous": LOGIN, **CLINICAL_200_COMMISSIONER_403}),
    "patients:home_panel": ("get", None, {"anonymous": LOGIN, **CLINICAL_200_COMMISSIONER_403}),
    "patients:population_panel": (
        "get",
        None,
        {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 403), "commissioner": 200, "admin": 200},
    ),
    # P1 is registered at GP-A's practice in cluster A: the GP, the cluster's coordinator and MDT chair
    # have a relationship; the SPA clinician and administrator have none (404), the commissioner never (403).
    "patients:detail": ("get", "p1", {**P1_RECORD, "anonymous": LOGIN}),
    # The record's edit pages (living situation, add a condition, a carer, an event): as the record itself.
    "patients:edit_registers": ("get", "p1", {**P1_RECORD, "anonymous": LOGIN}),
    "patients:add_condition": ("get", "p1", {**P1_RECORD, "anonymous": LOGIN}),
    "patients:add_carer": ("get", "p1", {**P1_RECORD, "anonymous": LOGIN}),
    "patients:add_event": ("get", "p1", {**P1_RECORD, "anonymous": LOGIN}),
    "patients:timeline": ("get", "p1", {**P1_RECORD, "anonymous": LOGIN}),
    "api-patient-lookup": (
        "post",
        "nhs_p1",
        {
            "anonymous": 403,
            "gp": 200,
            "care_coordinator": 200,
            "mdt_chair": 200,
            "spa_clinician": 404,
            "admin": 404,
            "commissioner": 403,
        },
    ),
    "api-patient-detail": ("get", "p1", P1_RECORD),
    "api-schema": ("get", None, {"anonymous": 403, **ALL_200}),
    "api-patient-list": ("get", None, {"anonymous": 403, **CLINICAL_200_COMMISSIONER_403}),
    "api-patient-search": ("post", None, {"anonymous": 403, **CLINICAL_200_COMMISSIONER_403}),
    "api-patient-registers": ("get", "p1", P1_RECORD),
    "api-patient-conditions": ("get", "p1", P1_RECORD),
    "api-patient-carers": ("get", "p1", P1_RECORD),
    "api-patient-events": ("get", "p1", P1_RECORD),
    # Non-administrators are refused before the body is read; the administrator sent JSON, not multipart.
    "api-import": ("post", "import_kind", {"anonymous": 403, **dict.fromkeys(ROLES[1:], 403), "admin": 415}),
    "patients:list": ("get", None, {"anonymous": LOGIN, **CLINICAL_200_COMMISSIONER_403}),
    "patients:carers_register": (
        "get",
        "practice_p1",
        {
            "anonymous": LOGIN,
            "gp": 200,
            "care_coordinator": 200,
            "mdt_chair": 200,
            "spa_clinician": 404,
            "admin": 404,
            "commissioner": 403,
        },
    ),
    "patients:import_upload": ("get", None, {"anonymous": LOGIN, **ADMIN_ONLY}),
    # An import job that does not exist: administrators get 404, everyone else is refused first.
    "patients:import_job": ("get", "job", {"anonymous": LOGIN, **ADMIN_ONLY, "admin": 404}),
    "patients:import_job_progress": ("get", "job", {"anonymous": LOGIN, **ADMIN_ONLY, "admin": 404}),
    "api-import-job": ("get", "job", {"anonymous": 403, **dict.fromkeys(ROLES[1:], 403), "admin": 404}),
    "patients:duplicates": ("get", None, {"anonymous": LOGIN, **ADMIN_ONLY}),
    "patients:pending_matches": ("get", None, {"anonymous": LOGIN, **ADMIN_ONLY}),
    "patients:pending_match_decide": (
        "post",
        "match_id",
        {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 403), "admin": 302},
    ),
    "patients:merge": ("post", None, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 403), "admin": 302}),
    # Risk stratification: lists and exports are scoped to care relationships (the admin sees an
    # empty list), commissioners never see patient-level risk; the runs page is the administrator's.
    "stratification:list": ("get", None, {"anonymous": LOGIN, **CLINICAL_200_COMMISSIONER_403}),
    "stratification:export": ("get", None, {"anonymous": LOGIN, **CLINICAL_200_COMMISSIONER_403}),
    "stratification:runs": ("get", None, {"anonymous": LOGIN, **dict.fromkeys(ROLES[1:], 403), "admin": 200}),
    "stratification:patient_panel": ("get", "p1", {**P1_RECORD, "anonymous": LOGIN}),
}
NOT_IN_MATRIX = {"admin"}  # the Django admin namespace is tested in test_security_settings


def _named_routes(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in NOT_IN_MATRIX:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= _named_routes(entry, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"URL pattern {entry.pattern} has no name, so it cannot be in the route matrix"
            names.add(f"{namespace}{entry.name}")
    return names


def test_every_route_is_in_the_matrix() -> None:
    assert _named_routes() == set(ROUTES), "add new routes to ROUTES with the status each role gets"


@pytest.mark.parametrize("route", sorted(ROUTES))
@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(route, role, request, client, p1) -> None:
    method, arg_key, expected_by_role = ROUTES[route]
    args = {
        "p1": [p1.public_id],
        "practice_p1": [p1.registered_practice.ods_code],
        "import_kind": ["activity"],
        "match_id": [1],
        "job": ["00000000-0000-4000-8000-000000000000"],
    }.get(arg_key or "", [])
    data = {"nhs_number": p1.nhs_number} if arg_key == "nhs_p1" else None
    if role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    url = reverse(route, args=args)
    response = client.post(url, data, content_type="application/json") if method == "post" else client.get(url)
    expected = expected_by_role[role]
    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected, f"{role} {method.upper()} {url}"
    if response.status_code in (403, 404):
        body = response.content.decode()
        assert p1.family_name not in body
        assert p1.nhs_number not in body
