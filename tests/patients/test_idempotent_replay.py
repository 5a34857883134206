"""An idempotent replay is a request like any other: access checked and audited again, so a user
whose care relationship has ended gets 404, never the stored body (point 4)."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from caremodel.models import AuditEvent, AuditOutcome, IdempotencyRecord, TeamMembership
from patients.models import ActivityEvent

pytestmark = pytest.mark.django_db
BODY = {"kind": "ae_attendance", "event_date": "2024-03-01", "source_system": "ed", "source_id": "R1"}


@pytest.fixture
def api(gp) -> APIClient:
    client = APIClient()
    client.force_authenticate(gp)
    return client


def test_a_replay_is_audited_like_a_first_request(api, gp, p1) -> None:
    url = reverse("api-patient-events", args=[p1.public_id])
    first = api.post(url, BODY, format="json", headers={"Idempotency-Key": "key-1"})
    replay = api.post(url, BODY, format="json", headers={"Idempotency-Key": "key-1"})
    assert (first.status_code, replay.status_code, replay["Idempotent-Replayed"]) == (201, 201, "true")
    assert replay.json() == first.json()
    entries = AuditEvent.objects.filter(patient_id=p1.pk, resource="activity_event", outcome=AuditOutcome.ALLOWED)
    assert [entry.detail.get("replay", False) for entry in entries.order_by("id")] == [False, True]


def test_after_the_relationship_ends_a_replay_gets_404_not_the_stored_body(api, gp, p1, area) -> None:
    url = reverse("api-patient-events", args=[p1.public_id])
    assert api.post(url, BODY, format="json", headers={"Idempotency-Key": "key-2"}).status_code == 201
    assert IdempotencyRecord.objects.filter(user=gp, key="key-2").exists()
    TeamMembership.objects.filter(user=gp, team=area.practice_team_a).delete()
    replay = api.post(url, BODY, format="json", headers={"Idempotency-Key": "key-2"})
    assert replay.status_code == 404
    assert "Idempotent-Replayed" not in replay
    assert "R1" not in replay.content.decode() and p1.family_name not in replay.content.decode()
    denial = AuditEvent.objects.filter(patient_id=p1.pk, outcome=AuditOutcome.DENIED).latest("id")
    assert denial.detail["reason"] == "no care relationship"
    assert ActivityEvent.objects.filter(patient=p1).count() == 1


def test_another_client_cannot_replay_my_key(api, p1, care_coordinator) -> None:
    """Keys are scoped per client: the same key from someone else is a new request of theirs."""
    url = reverse("api-patient-events", args=[p1.public_id])
    assert api.post(url, BODY, format="json", headers={"Idempotency-Key": "shared"}).status_code == 201
    other = APIClient()
    other.force_authenticate(care_coordinator)
    response = other.post(url, {**BODY, "source_id": "R2"}, format="json", headers={"Idempotency-Key": "shared"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
