"""One patient seen through another (docs/adr/0015): a carer who is also a patient is shown on the
cared-for person's record as a contact (name, relationship, telephone) to everyone who may see that
record, and their NHS number, date of birth, address, practice and record only to those who may see
them too. Both sides, on the page, the API and the carers registers."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from caremodel.models import AuditAction, AuditEvent, Role, TeamKind
from tests.caremodel.factories import TeamFactory, UserFactory
from tests.patients.factories import CarerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def p2_cares_for_p1(p1, p2):
    """P2 (practice B, which GP-A cannot see) is P1's main carer."""
    p2.date_of_birth, p2.postcode = datetime.date(1961, 7, 14), "CT20 9ZZ"
    p2.save()
    return CarerFactory(
        patient=p1,
        carer_patient=p2,
        carer_name="",
        relationship="son",
        is_main_carer=True,
        contact_phone="01234 567890",
    )


@pytest.fixture
def sees_both(area):
    team = TeamFactory(name="Both practices", kind=TeamKind.SERVICE, practices=[area.practice_a, area.practice_b])
    return UserFactory(username="both", role=Role.COMMUNITY_NURSE, teams=[team])


def _identifiers(patient) -> list[str]:
    return [
        patient.nhs_number,
        f"{patient.nhs_number[:3]} {patient.nhs_number[3:6]} {patient.nhs_number[6:]}",
        "14 July 1961",
        "1961-07-14",
        patient.postcode,
        patient.registered_practice.name,
        str(patient.public_id),
    ]


def test_without_a_relationship_to_the_carer_the_record_shows_a_contact_only(
    client, gp, p1, p2, p2_cares_for_p1
) -> None:
    client.force_login(gp)
    body = client.get(reverse("patients:detail", args=[p1.public_id])).content.decode()
    assert p2.given_name in body and "01234 567890" in body and "son" in body
    assert [value for value in _identifiers(p2) if value in body] == []
    appeared = AuditEvent.objects.get(action=AuditAction.LIST, patient_id=p2.pk, resource="carer")
    assert appeared.relationship == "carer_contact"


def test_with_a_relationship_to_both_the_record_links_the_carer(client, sees_both, p1, p2, p2_cares_for_p1) -> None:
    client.force_login(sees_both)
    body = client.get(reverse("patients:detail", args=[p1.public_id])).content.decode()
    assert f'href="/patients/{p2.public_id}/"' in body
    appeared = AuditEvent.objects.get(action=AuditAction.LIST, patient_id=p2.pk, resource="carer")
    assert appeared.relationship == "registered_practice"


def test_the_api_gives_the_carers_record_only_to_who_may_see_it(gp, sees_both, p1, p2, p2_cares_for_p1) -> None:
    url = reverse("api-patient-carers", args=[p1.public_id])
    for user, expected in ((gp, None), (sees_both, str(p2.public_id))):
        api = APIClient()
        api.force_authenticate(user)
        response = api.get(url)
        carer = response.json()["results"][0]
        assert (carer["name"], carer["is_patient"], carer["carer_patient"]) == (p2.display_name, True, expected)
        if expected is None:
            assert [value for value in _identifiers(p2) if value in response.content.decode()] == []


def test_registers_show_the_other_person_as_the_rule_says(client, gp, gp_b, area, p1, p2, p2_cares_for_p1) -> None:
    # Practice A's register, for GP-A: the carer (P2) by name, no link, no identifiers.
    client.force_login(gp)
    body = client.get(reverse("patients:carers_register", args=[area.practice_a.ods_code])).content.decode()
    assert p2.given_name in body and f"/patients/{p2.public_id}/" not in body
    assert [value for value in _identifiers(p2) if value in body] == []
    assert f'href="/patients/{p1.public_id}/"' in body
    # Practice B's register, for GP-B: P2 is on it as a carer; the person cared for (P1) is not shown at all.
    client.force_login(gp_b)
    body = client.get(reverse("patients:carers_register", args=[area.practice_b.ods_code])).content.decode()
    assert f'href="/patients/{p2.public_id}/"' in body
    assert "Someone you have no care relationship with" in body
    assert p1.family_name.lower() not in body.lower() and p1.given_name not in body
