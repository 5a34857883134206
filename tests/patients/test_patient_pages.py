"""Patient lookup and record pages, through the browser's eyes (Django test client)."""

import pytest
from django.urls import reverse

from caremodel.models import AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db


def test_lookup_by_formatted_nhs_number_opens_the_record(client, gp, p1) -> None:
    client.force_login(gp)
    n = p1.nhs_number
    response = client.post(reverse("patients:lookup"), {"nhs_number": f"{n[:3]} {n[3:6]}-{n[6:]}"})
    assert response.status_code == 302
    assert response["Location"] == reverse("patients:detail", args=[p1.public_id])
    page = client.get(response["Location"])
    assert "LOVELACE, Ada" in page.content.decode()
    assert f"{n[:3]} {n[3:6]} {n[6:]}" in page.content.decode()


def test_invalid_nhs_number_names_the_field_and_rule(client, gp) -> None:
    client.force_login(gp)
    response = client.post(reverse("patients:lookup"), {"nhs_number": "943 476 5918"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "NHS number 9434765918 fails the check digit" in body
    assert 'href="#id_nhs_number"' in body  # the error summary links to the field


def test_lookup_of_a_patient_without_relationship_says_not_found_and_audits(client, gp, p2) -> None:
    client.force_login(gp)
    response = client.post(reverse("patients:lookup"), {"nhs_number": p2.nhs_number})
    assert response.status_code == 404
    assert "Hidden" not in response.content.decode()
    assert AuditEvent.objects.filter(patient_id=p2.pk, outcome=AuditOutcome.DENIED).exists()


def test_unknown_and_unrelated_look_the_same(client, gp, p2) -> None:
    client.force_login(gp)
    unrelated = client.post(reverse("patients:lookup"), {"nhs_number": p2.nhs_number})
    unknown = client.post(reverse("patients:lookup"), {"nhs_number": "9434765919"})
    assert unrelated.status_code == unknown.status_code == 404

    def main_of(response, number: str) -> str:
        body = response.content.decode()
        return body[body.index("<main") : body.index("</main>")].replace(number, "").split("csrfmiddlewaretoken")[0]

    assert main_of(unrelated, p2.nhs_number) == main_of(unknown, "9434765919")


def test_nhs_number_is_never_in_a_url(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(reverse("patients:lookup"), {"nhs_number": p1.nhs_number})
    assert p1.nhs_number not in response["Location"]


def test_home_panel_counts_only_related_patients(client, gp, p1, p2) -> None:
    client.force_login(gp)
    response = client.get(reverse("patients:home_panel"))
    assert "<strong>1</strong> person" in response.content.decode()


def test_population_panel_is_suppressed(client, commissioner, area) -> None:
    from tests.patients.factories import PatientFactory

    PatientFactory.create_batch(3, registered_practice=area.practice_a)
    PatientFactory.create_batch(12, registered_practice=area.practice_b)
    client.force_login(commissioner)
    body = client.get(reverse("patients:population_panel")).content.decode()
    assert ">*<" in body.replace(" ", "").replace("\n", "")
    assert ">10<" in body.replace(" ", "").replace("\n", "")


def test_every_role_home_page_renders(client, gp, care_coordinator, spa_clinician, mdt_chair, commissioner, admin):
    for user, heading in (
        (gp, "Your practice"),
        (care_coordinator, "Your caseload"),
        (spa_clinician, "Single point of access"),
        (mdt_chair, "Your multi-disciplinary team"),
        (commissioner, "Your health and care system"),
        (admin, "System administration"),
    ):
        client.force_login(user)
        response = client.get(reverse("home"))
        assert response.status_code == 200
        assert f"<h1>{heading}</h1>" in response.content.decode()
