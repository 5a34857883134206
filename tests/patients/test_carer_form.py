"""Add a carer: a patient the user may see (searched for, then chosen) or a named person."""

import pytest
from django.urls import reverse

from caremodel.models import AuditAction, AuditEvent
from patients.models import CarerRelationship, Patient
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db


def url(name: str, patient: Patient) -> str:
    return reverse(f"patients:{name}", args=[patient.public_id])


def test_a_named_person_who_is_not_a_patient(client, care_coordinator, p1) -> None:
    client.force_login(care_coordinator)
    data = {
        "carer_kind": "person",
        "carer_name": "Grace Hopper",
        "relationship": "neighbour",
        "is_main_carer": "on",
        "availability": "Weekday evenings",
        "action": "save",
    }
    response = client.post(url("add_carer", p1), data)
    assert response.status_code == 302
    carer = CarerRelationship.objects.get(patient=p1)
    assert (carer.carer_name, carer.carer_patient, carer.is_main_carer, carer.availability) == (
        "Grace Hopper",
        None,
        True,
        "Weekday evenings",
    )


def test_search_lists_only_patients_the_user_may_see_and_keeps_the_values(client, gp, area, p1, p2) -> None:
    husband = PatientFactory(registered_practice=area.practice_a, given_name="Charles", family_name="Lovelace")
    PatientFactory(registered_practice=area.practice_b, given_name="William", family_name="Lovelace")
    client.force_login(gp)
    data = {"carer_kind": "patient", "carer_search": "lovelace", "relationship": "husband", "action": "search"}
    response = client.post(url("add_carer", p1), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "LOVELACE, Charles" in body
    assert "LOVELACE, William" not in body  # registered where the GP's team has no relationship
    assert f'value="{husband.public_id}"' in body
    assert f'value="{p1.public_id}"' not in body  # not their own carer
    assert 'value="husband"' in body
    assert "There is a problem" not in body
    assert AuditEvent.objects.filter(action=AuditAction.LIST, patient_id=husband.pk).exists()
    assert not CarerRelationship.objects.exists()


def test_search_by_nhs_number(client, gp, area, p1) -> None:
    husband = PatientFactory(registered_practice=area.practice_a, given_name="Charles", family_name="Babbage")
    client.force_login(gp)
    data = {"carer_kind": "patient", "carer_search": husband.nhs_number, "action": "search"}
    response = client.post(url("add_carer", p1), data)
    assert "BABBAGE, Charles" in response.content.decode()


def test_an_empty_or_bad_search_names_the_field(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(url("add_carer", p1), {"carer_kind": "patient", "carer_search": "", "action": "search"})
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_carer_search"' in body
    assert "Enter at least one letter of the carer" in body
    response = client.post(url("add_carer", p1), {"carer_kind": "patient", "carer_search": "999", "action": "search"})
    assert response.status_code == 400
    assert 'href="#id_carer_search"' in response.content.decode()


def test_a_carer_who_is_a_patient_is_chosen_and_shown_on_both_registers(client, gp, area, p1) -> None:
    husband = PatientFactory(registered_practice=area.practice_a, given_name="Charles", family_name="Lovelace")
    client.force_login(gp)
    data = {
        "carer_kind": "patient",
        "carer_search": "charles",
        "carer_patient": str(husband.public_id),
        "relationship": "husband",
        "is_main_carer": "on",
        "availability": "Lives with the patient",
        "action": "save",
    }
    response = client.post(url("add_carer", p1), data)
    assert response.status_code == 302
    carer = CarerRelationship.objects.get(patient=p1)
    assert (carer.carer_patient, carer.carer_name, carer.is_main_carer) == (husband, "", True)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, patient_id=husband.pk, resource="carer").exists()
    assert "LOVELACE, Charles" in client.get(url("detail", p1)).content.decode()
    register = client.get(reverse("patients:carers_register", args=[area.practice_a.ods_code])).content.decode()
    assert "LOVELACE, Charles" in register
    assert "Patient here" in register
    assert "Lives with the patient" in register
    assert f'href="{url("detail", husband)}"' in register  # the carer who is a patient links to their record


def test_a_patient_the_user_may_not_see_cannot_be_chosen(client, gp, p1, p2) -> None:
    client.force_login(gp)
    data = {
        "carer_kind": "patient",
        "carer_search": "hidden",
        "carer_patient": str(p2.public_id),
        "relationship": "friend",
        "action": "save",
    }
    response = client.post(url("add_carer", p1), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose the carer from the search results." in body
    assert "HIDDEN" not in body
    assert not CarerRelationship.objects.exists()


def test_the_kind_of_carer_and_its_details_are_required(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(url("add_carer", p1), {"relationship": "son", "action": "save"})
    assert response.status_code == 400
    assert 'href="#id_carer_kind"' in response.content.decode()
    response = client.post(url("add_carer", p1), {"carer_kind": "patient", "relationship": "son", "action": "save"})
    assert 'href="#id_carer_search"' in response.content.decode()
    response = client.post(url("add_carer", p1), {"carer_kind": "person", "relationship": "son", "action": "save"})
    body = response.content.decode()
    assert 'href="#id_carer_name"' in body
    assert not CarerRelationship.objects.exists()


def test_enter_in_a_field_of_a_named_carer_saves(client, gp, p1) -> None:
    """The search button is the form's first, so Enter sends action=search: for a named person it saves."""
    client.force_login(gp)
    data = {"carer_kind": "person", "carer_name": "Jo", "relationship": "son", "action": "search"}
    assert client.post(url("add_carer", p1), data).status_code == 302
    assert CarerRelationship.objects.get(patient=p1).carer_name == "Jo"
