"""The record's HTML forms: living situation and contacts, add a condition, add a carer.
Each posts, redirects back to the record, and writes through the audited services."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from caremodel.models import AuditAction, AuditEvent, AuditOutcome
from patients.models import CarerRelationship, Patient, PatientCondition
from patients.services.patient import patient_update_registers

pytestmark = pytest.mark.django_db

CONFLICT = "This record was changed by someone else"


def registers_data(patient: Patient, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "version": patient.version,
        "lives_alone": "unknown" if patient.lives_alone is None else ("yes" if patient.lives_alone else "no"),
        "housebound": "yes" if patient.housebound else "no",
        "accountable_gp": patient.accountable_gp_id or "",
        "key_worker": patient.key_worker_id or "",
        "consent_to_share": patient.consent_to_share,
        "interpreter_needed": "yes" if patient.interpreter_needed else "no",
        "preferred_language": patient.preferred_language,
        "communication_needs": patient.communication_needs,
    }
    data.update(overrides)
    return data


def onset(day: int, month: int, year: int) -> dict[str, str]:
    return {"onset_date_day": str(day), "onset_date_month": str(month), "onset_date_year": str(year)}


def url(name: str, patient: Patient) -> str:
    return reverse(f"patients:{name}", args=[patient.public_id])


# Living situation and contacts


def test_registers_form_shows_the_current_values_and_version(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.get(url("edit_registers", p1))
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="version" id="id_version" value="1"' in body
    assert "Living situation and contacts" in body
    assert 'href="{}"'.format(url("edit_registers", p1)) in client.get(url("detail", p1)).content.decode()


def test_registers_form_saves_the_changes_and_redirects_to_the_record(client, gp, p1) -> None:
    client.force_login(gp)
    data = registers_data(
        p1, lives_alone="yes", housebound="yes", accountable_gp=gp.pk, key_worker=gp.pk, consent_to_share="given"
    )
    data.update(interpreter_needed="yes", preferred_language="Polish", communication_needs="Hard of hearing")
    response = client.post(url("edit_registers", p1), data)
    assert response.status_code == 302
    assert response["Location"] == url("detail", p1)
    p1.refresh_from_db()
    assert (p1.lives_alone, p1.housebound, p1.accountable_gp, p1.key_worker) == (True, True, gp, gp)
    assert (p1.consent_to_share, p1.consent_recorded_by) == ("given", gp)
    assert (p1.interpreter_needed, p1.preferred_language, p1.communication_needs) == (True, "Polish", "Hard of hearing")
    assert p1.version == 2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, patient_id=p1.pk, outcome=AuditOutcome.ALLOWED)
    assert event.detail["what"] == "registers"


def test_registers_form_sends_only_the_fields_that_changed(client, gp, p1) -> None:
    """Saving without touching consent does not re-record it as given by this user, now."""
    client.force_login(gp)
    response = client.post(url("edit_registers", p1), registers_data(p1, housebound="yes"))
    assert response.status_code == 302
    p1.refresh_from_db()
    assert p1.housebound is True
    assert p1.consent_recorded_by is None
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, patient_id=p1.pk, outcome=AuditOutcome.ALLOWED)
    assert event.detail["fields"] == ["housebound"]


def test_registers_form_without_changes_writes_nothing(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(url("edit_registers", p1), registers_data(p1))
    assert response.status_code == 302
    p1.refresh_from_db()
    assert p1.version == 1


def test_registers_form_validation_errors_name_the_field(client, gp, p1) -> None:
    client.force_login(gp)
    data = registers_data(p1, interpreter_needed="yes", preferred_language="")
    del data["housebound"]
    response = client.post(url("edit_registers", p1), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert 'href="#id_housebound"' in body
    assert "Say whether the patient is housebound." in body
    assert "<title>Error:" in body
    p1.refresh_from_db()
    assert p1.version == 1


def test_registers_form_shows_service_rules_against_the_field(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(url("edit_registers", p1), registers_data(p1, interpreter_needed="yes"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_preferred_language"' in body
    assert "Say which language the interpreter is needed for." in body


def test_registers_form_refuses_a_stale_version_and_never_overwrites(client, gp, care_coordinator, p1) -> None:
    client.force_login(gp)
    loaded = registers_data(p1)  # the GP opens the form at version 1
    patient_update_registers(
        user=care_coordinator, patient=p1, expected_version=1, changes={"lives_alone": False, "housebound": True}
    )
    response = client.post(url("edit_registers", p1), {**loaded, "lives_alone": "yes"})
    assert response.status_code == 409
    body = response.content.decode()
    assert CONFLICT in body
    assert "Reload" in body
    p1.refresh_from_db()
    assert (p1.lives_alone, p1.housebound, p1.version) == (False, True, 2)
    refused = AuditEvent.objects.get(action=AuditAction.UPDATE, outcome=AuditOutcome.INVALID, user_id=gp.pk)
    assert refused.detail["reason"] == "version conflict"


def test_registers_form_is_404_without_a_relationship(client, gp, p2) -> None:
    client.force_login(gp)
    assert client.get(url("edit_registers", p2)).status_code == 404
    response = client.post(url("edit_registers", p2), registers_data(p2, housebound="yes"))
    assert response.status_code == 404
    assert "Hidden" not in response.content.decode()
    p2.refresh_from_db()
    assert p2.version == 1
    assert AuditEvent.objects.filter(patient_id=p2.pk, outcome=AuditOutcome.DENIED).exists()


def test_registers_form_is_403_for_a_commissioner(client, commissioner, p1) -> None:
    client.force_login(commissioner)
    assert client.get(url("edit_registers", p1)).status_code == 403
    assert client.post(url("edit_registers", p1), registers_data(p1, housebound="yes")).status_code == 403
    p1.refresh_from_db()
    assert p1.version == 1


# Add a condition


def test_condition_form_records_a_coded_condition(client, gp, p1) -> None:
    client.force_login(gp)
    page = client.get(url("add_condition", p1))
    assert page.status_code == 200
    assert re.search(r'<option value="84114007"\s*>Heart failure</option>', page.content.decode())
    response = client.post(url("add_condition", p1), {"code": "84114007", **onset(15, 3, 2019)})
    assert response.status_code == 302
    assert response["Location"] == url("detail", p1)
    condition = PatientCondition.objects.get(patient=p1)
    assert (condition.code.code, condition.onset_date) == ("84114007", datetime.date(2019, 3, 15))
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, patient_id=p1.pk, resource="condition").exists()
    assert "Heart failure" in client.get(url("detail", p1)).content.decode()


def test_condition_form_validation_errors_name_the_field(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(url("add_condition", p1), {"code": "", **onset(31, 2, 2019)})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_code"' in body
    assert "Choose a condition from the list." in body
    assert 'href="#id_onset_date_day"' in body
    assert "Onset date must be a real date." in body
    assert not PatientCondition.objects.filter(patient=p1).exists()


def test_condition_form_shows_the_service_rule_on_a_future_onset(client, gp, p1) -> None:
    client.force_login(gp)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url("add_condition", p1), {"code": "84114007", **onset(tomorrow.day, tomorrow.month, tomorrow.year)}
    )
    assert response.status_code == 400
    assert "Onset date must be today or in the past." in response.content.decode()


def test_condition_form_shows_the_service_rule_on_an_onset_before_birth(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(url("add_condition", p1), {"code": "84114007", **onset(1, 1, 1930)})
    assert response.status_code == 400
    body = response.content.decode()
    assert "The onset date cannot be before the date of birth." in body
    assert 'href="#id_onset_date_day"' in body
    assert not PatientCondition.objects.filter(patient=p1).exists()


def test_condition_form_is_404_without_a_relationship_and_403_for_a_commissioner(
    client, gp, commissioner, p1, p2
) -> None:
    client.force_login(gp)
    assert client.post(url("add_condition", p2), {"code": "84114007"}).status_code == 404
    client.force_login(commissioner)
    assert client.post(url("add_condition", p1), {"code": "84114007"}).status_code == 403
    assert not PatientCondition.objects.exists()


# Add a carer


def test_carer_form_records_a_carer(client, care_coordinator, p1) -> None:
    client.force_login(care_coordinator)
    assert client.get(url("add_carer", p1)).status_code == 200
    data = {
        "carer_kind": "person",
        "carer_name": "Grace Hopper",
        "relationship": "neighbour",
        "is_main_carer": "on",
        "availability": "Weekday evenings",
        "contact_phone": "01632 960001",
        "since_day": "10",
        "since_month": "1",
        "since_year": "2022",
    }
    response = client.post(url("add_carer", p1), data)
    assert response.status_code == 302
    assert response["Location"] == url("detail", p1)
    carer = CarerRelationship.objects.get(patient=p1)
    assert (carer.carer_name, carer.relationship, carer.is_main_carer) == ("Grace Hopper", "neighbour", True)
    assert carer.since == datetime.date(2022, 1, 10)
    assert AuditEvent.objects.filter(action=AuditAction.CREATE, patient_id=p1.pk, resource="carer").exists()
    assert "Grace Hopper" in client.get(url("detail", p1)).content.decode()


def test_carer_form_validation_errors_name_the_field(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(
        url("add_carer", p1), {"carer_kind": "person", "carer_name": " ", "relationship": "", "since_day": "yesterday"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_carer_name"' in body
    assert "Enter the carer&#39;s name." in body or "Enter the carer's name." in body
    assert 'href="#id_relationship"' in body
    assert 'href="#id_since_day"' in body
    assert "Caring since must include a month and year." in body
    assert not CarerRelationship.objects.exists()


def test_carer_form_is_404_without_a_relationship_and_403_for_a_commissioner(client, gp, commissioner, p1, p2) -> None:
    data = {"carer_kind": "person", "carer_name": "Jo", "relationship": "son"}
    client.force_login(gp)
    assert client.get(url("add_carer", p2)).status_code == 404
    assert client.post(url("add_carer", p2), data).status_code == 404
    client.force_login(commissioner)
    assert client.post(url("add_carer", p1), data).status_code == 403
    assert not CarerRelationship.objects.exists()


def test_registers_form_stays_valid_when_the_named_key_worker_has_left(client, gp, care_coordinator, p1) -> None:
    patient_update_registers(user=gp, patient=p1, expected_version=1, changes={"key_worker": care_coordinator.pk})
    care_coordinator.is_active = False
    care_coordinator.save(update_fields=["is_active"])
    p1.refresh_from_db()
    client.force_login(gp)
    response = client.post(url("edit_registers", p1), registers_data(p1, housebound="yes"))
    assert response.status_code == 302
    p1.refresh_from_db()
    assert (p1.housebound, p1.key_worker_id) == (True, care_coordinator.pk)
