"""The patient record API: search, registers with optimistic concurrency, nested resources,
idempotent event intake, imports, mass assignment and query counts."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from caremodel.models import AuditAction, AuditEvent
from patients.models import ActivityEvent, CarerRelationship, Patient, PatientCondition
from tests.patients.factories import PatientFactory, ProviderFactory, nhs_number_for
from tests.patients.import_files import activity_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, gp):
    client.force_login(gp)
    return client


def test_list_endpoint_is_scoped_paginated_and_audited(api, gp, area, p1, p2) -> None:
    for _ in range(3):
        PatientFactory(registered_practice=area.practice_a)
    first = api.get(reverse("api-patient-list"), {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next_cursor"]
    second = api.get(reverse("api-patient-list"), {"page_size": 2, "cursor": first["next_cursor"]}).json()
    ids = {row["id"] for row in first["results"] + second["results"]}
    assert str(p2.public_id) not in ids and len(ids) == 4
    assert AuditEvent.objects.filter(action=AuditAction.LIST, user_id=gp.pk).count() == 4


@pytest.mark.parametrize("rows", [1, 50])
def test_list_endpoint_query_count_is_constant(rows, api, area, django_assert_num_queries) -> None:
    for _ in range(rows):
        PatientFactory(registered_practice=area.practice_a)
    # session, user, the page of patients (practice joined), the audit insert and its savepoints:
    # the same for 1 and 50 rows
    with django_assert_num_queries(7):
        response = api.get(reverse("api-patient-list"))
    assert len(response.json()["results"]) == rows


def test_search_endpoint_takes_nhs_numbers_in_the_body_and_explains_invalid_ones(api, p1, p2) -> None:
    url = reverse("api-patient-search")
    found = api.post(url, {"q": p1.nhs_number[:3] + " " + p1.nhs_number[3:]}, content_type="application/json").json()
    assert [row["id"] for row in found["results"]] == [str(p1.public_id)]
    assert api.post(url, {"nhs_number": p2.nhs_number}, content_type="application/json").json()["results"] == []
    bad = api.post(url, {"nhs_number": "943 476 5918"}, content_type="application/json")
    assert bad.status_code == 400 and "nhs_number" in bad.json()
    assert api.get(reverse("api-patient-list"), {"q": p1.nhs_number}).status_code == 400
    assert api.post(url, {"age_band": "old"}, content_type="application/json").status_code == 400
    assert api.get(reverse("api-patient-list"), {"cursor": "%%%"}).status_code == 400


def test_registers_patch_uses_the_version_and_the_loser_gets_409(api, gp, p1) -> None:
    url = reverse("api-patient-registers", args=[p1.public_id])
    ok = api.patch(
        url, {"version": 1, "lives_alone": True, "consent_to_share": "given"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = api.patch(url, {"version": 1, "housebound": True}, content_type="application/json")
    assert stale.status_code == 409 and int(stale.json()["current_version"]) == 2
    p1.refresh_from_db()
    assert (p1.lives_alone, p1.housebound, p1.consent_recorded_by) == (True, False, gp)


def test_registers_refuse_ownership_fields(api, area, p1) -> None:
    url = reverse("api-patient-registers", args=[p1.public_id])
    response = api.patch(
        url,
        {"version": 1, "registered_practice": area.practice_b.pk, "nhs_number": "9434765919"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {"registered_practice", "nhs_number"} <= set(response.json())
    p1.refresh_from_db()
    assert (p1.registered_practice, p1.version) == (area.practice_a, 1)


def test_nested_resources_refuse_mass_assignment_of_the_patient(api, p1, p2) -> None:
    url = reverse("api-patient-carers", args=[p1.public_id])
    response = api.post(
        url, {"relationship": "son", "carer_name": "Sam", "patient": str(p2.public_id)}, content_type="application/json"
    )
    assert response.status_code == 400 and "patient" in response.json()
    assert not CarerRelationship.objects.exists()
    created = api.post(
        url, {"relationship": "son", "carer_name": "Sam", "is_main_carer": True}, content_type="application/json"
    )
    assert created.status_code == 201
    assert api.get(url).json()["results"][0]["name"] == "Sam"


def test_conditions_endpoint_records_once_and_names_bad_codes(api, p1) -> None:
    url = reverse("api-patient-conditions", args=[p1.public_id])
    assert (
        api.post(url, {"code": "84114007", "onset_date": "2020-01-01"}, content_type="application/json").status_code
        == 201
    )
    assert (
        api.post(url, {"code": "84114007", "onset_date": "2020-01-01"}, content_type="application/json").status_code
        == 200
    )
    bad = api.post(url, {"code": "nope"}, content_type="application/json")
    assert bad.status_code == 400 and "code" in bad.json()
    assert PatientCondition.objects.filter(patient=p1).count() == 1
    assert api.get(url).json()["results"][0]["register"] == "heart_failure"


def test_event_intake_is_idempotent(api, p1) -> None:
    ProviderFactory(ods_code="RVV01")
    url = reverse("api-patient-events", args=[p1.public_id])
    body = {
        "kind": "fall",
        "event_date": "2024-03-01",
        "source_system": "ambulance",
        "source_id": "F1",
        "provider": "RVV01",
        "with_fracture": False,
    }
    first = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert first.status_code == 201
    replay = api.post(url, body, content_type="application/json", headers={"Idempotency-Key": "k1"})
    assert (replay.status_code, replay.json(), replay["Idempotent-Replayed"]) == (201, first.json(), "true")
    changed = api.post(
        url, {**body, "event_date": "2024-03-02"}, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert changed.status_code == 422
    # Without a key the source id still stores the event once.
    assert api.post(url, body, content_type="application/json").status_code == 200
    assert ActivityEvent.objects.filter(patient=p1).count() == 1
    bad = api.post(url, {**body, "source_id": "F2", "kind": "teleport"}, content_type="application/json")
    assert bad.status_code == 400 and "kind" in bad.json()


def test_gp_a_gets_404_for_p2_everywhere_and_commissioner_403(client, gp, commissioner, p2) -> None:
    client.force_login(gp)
    for name in ("api-patient-registers", "api-patient-conditions", "api-patient-carers", "api-patient-events"):
        response = client.get(reverse(name, args=[p2.public_id]))
        assert response.status_code == 404 and p2.family_name not in response.content.decode()
    response = client.post(
        reverse("api-patient-events", args=[p2.public_id]),
        {"kind": "fall", "event_date": "2024-01-01", "source_system": "x", "source_id": "1"},
        content_type="application/json",
    )
    assert response.status_code == 404 and not ActivityEvent.objects.exists()
    client.force_login(commissioner)
    assert client.get(reverse("api-patient-list")).status_code == 403


def test_imports_endpoint_returns_the_same_report(client, admin, gp, area, django_capture_on_commit_callbacks) -> None:
    ProviderFactory(ods_code="RVV01")
    patient = PatientFactory(nhs_number=nhs_number_for(77), registered_practice=area.practice_a)
    data = activity_file(
        f"{patient.nhs_number},ae_attendance,2024-01-02,RVV01,S1,,",
        f"{patient.nhs_number},ae_attendance,2024-13-02,RVV01,S2,,",
    )
    url = reverse("api-import", args=["activity"])
    client.force_login(gp)
    assert client.post(url, {"file": SimpleUploadedFile("f.csv", data)}).status_code == 403
    client.force_login(admin)

    def imported(**extra: str) -> dict:
        with django_capture_on_commit_callbacks(execute=True):
            accepted = client.post(url, {"file": SimpleUploadedFile("f.csv", data), **extra})
        assert accepted.status_code == 202 and accepted["Location"] == accepted.json()["status_url"]
        status = client.get(accepted.json()["status_url"]).json()
        assert (status["status"], status["percent"]) == ("done", 100)
        return status["report"]

    report = imported()
    assert (report["events_added"], report["errors"][0]["line"], report["errors"][0]["field"]) == (1, 3, "event_date")
    assert imported(strict="true")["applied"] is False
    assert (
        client.post(reverse("api-import", args=["nope"]), {"file": SimpleUploadedFile("f.csv", data)}).status_code
        == 404
    )
    assert Patient.objects.count() == 1
