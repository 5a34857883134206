import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from patients.models import Patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(gp) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=gp).key}")
    return client


def test_lookup_with_token_auth(api, p1) -> None:
    response = api.post(reverse("api-patient-lookup"), {"nhs_number": p1.nhs_number}, format="json")
    assert response.status_code == 200
    assert response.json()["id"] == str(p1.public_id)
    assert response.json()["registered_practice"] == p1.registered_practice.ods_code


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9434765918", "NHS number 9434765918 fails the check digit"),
        ("12345", "NHS number must be 10 digits"),
        ("", "This field may not be blank."),
    ],
)
def test_invalid_nhs_number_is_a_400_naming_the_field(api, value, message) -> None:
    response = api.post(reverse("api-patient-lookup"), {"nhs_number": value}, format="json")
    assert response.status_code == 400
    assert message in response.json()["nhs_number"][0]


def test_no_relationship_is_404_without_data(api, p2) -> None:
    response = api.post(reverse("api-patient-lookup"), {"nhs_number": p2.nhs_number}, format="json")
    assert response.status_code == 404
    assert p2.family_name not in response.content.decode()


def test_wrong_content_type_is_415(api) -> None:
    response = api.post(reverse("api-patient-lookup"), "nhs_number=9434765919", content_type="text/plain")
    assert response.status_code == 415


def test_malformed_json_is_400(api) -> None:
    response = api.post(reverse("api-patient-lookup"), "{not json", content_type="application/json")
    assert response.status_code == 400


def test_detail_is_read_only(api, p1) -> None:
    url = reverse("api-patient-detail", args=[p1.public_id])
    response = api.patch(url, {"family_name": "Changed"}, format="json")
    assert response.status_code == 405
    assert Patient.objects.get(pk=p1.pk).family_name == p1.family_name


@pytest.mark.parametrize(
    "body",
    [
        "[" * 100_000 + "]" * 100_000,  # nested past the parser's recursion limit
        '{"nhs_number": "' + "1" * 3_000_000 + '"}',  # over the upload size limit
        '{"nhs_number": ["9434765919"]}',
        "[1, 2]",
        '{"nhs_number": null}',
        '{"nhs_number": "\\u0000"}',
    ],
    ids=["deeply-nested", "huge", "list-value", "array-body", "null", "nul-char"],
)
def test_hostile_json_is_a_4xx_never_a_500(api, body) -> None:
    response = api.post(reverse("api-patient-lookup"), body, content_type="application/json")
    assert response.status_code in (400, 413)


def test_nul_characters_anywhere_in_json_are_refused(api, p1) -> None:
    url = reverse("api-patient-events", args=[p1.public_id])
    body = '{"kind": "fall", "event_date": "2026-01-02", "provider": "R\\u0000X", "source_id": "a"}'
    response = api.post(url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]
