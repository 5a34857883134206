"""No patient identifier in a URL (point 8): names, dates of birth, postcodes and NHS numbers are never
taken from a GET; a search is POSTed and shown under a short server-side key; page cursors are
opaque; and every listed row is audited with the relationship that allowed it (point 9)."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from caremodel.models import AuditAction, AuditEvent
from patients.services.search import PAGE_SIZE
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db
IDENTIFYING = {"q": "Lovelace", "date_of_birth": "1940-01-01", "postcode": "TN23 1AA"}


@pytest.mark.parametrize("name", sorted(IDENTIFYING))
def test_identifying_filters_in_a_get_are_refused_on_the_page_and_the_api(client, gp, p1, name) -> None:
    client.force_login(gp)
    page = client.get(reverse("patients:list"), {name: IDENTIFYING[name]})
    assert page.status_code == 400
    assert "stay out of web addresses" in page.content.decode()
    assert p1.family_name not in page.content.decode().replace(IDENTIFYING[name], "")
    api = client.get(reverse("api-patient-list"), {name: IDENTIFYING[name]})
    assert api.status_code == 400 and name in api.json()


def test_a_posted_search_is_shown_under_a_key_and_its_pages_name_nobody(client, gp, area) -> None:
    for given in ("Ann", "Bea", "Cat"):
        PatientFactory(registered_practice=area.practice_a, family_name="Smithson", given_name=given)
    client.force_login(gp)
    posted = client.post(reverse("patients:list"), {"q": "smithson"})
    assert posted.status_code == 303
    location = posted["Location"]
    assert "smith" not in location.lower() and set(parse_qs(urlsplit(location).query)) == {"s"}
    with_page_size_one = client.get(location)
    assert with_page_size_one.status_code == 200
    body = with_page_size_one.content.decode()
    assert body.lower().count("smithson") >= 3
    # The same key in another user's session means nothing.
    stranger = Client()
    stranger.force_login(gp)
    assert "That search has expired" in stranger.get(location).content.decode()


def test_next_page_links_carry_the_key_and_an_opaque_cursor_only(client, gp, area) -> None:
    people = [
        PatientFactory(registered_practice=area.practice_a, family_name="Zephyr", given_name=f"G{n:02d}")
        for n in range(PAGE_SIZE + 1)
    ]
    client.force_login(gp)
    first = client.get(client.post(reverse("patients:list"), {"q": "zephyr"})["Location"])
    next_url = html.unescape(re.search(r'href="([^"]*cursor=[^"]*)"', first.content.decode()).group(1))
    query = parse_qs(urlsplit(next_url).query)
    assert set(query) == {"s", "cursor"}
    assert "zephyr" not in next_url.lower() and all(p.nhs_number not in next_url for p in people)
    second = client.get(next_url)
    assert second.status_code == 200
    assert str(people[-1].public_id) in second.content.decode()
    assert str(people[-1].public_id) not in first.content.decode()


def test_api_cursor_is_opaque_and_the_next_link_keeps_the_filters_encoded(gp, area) -> None:
    for n in range(3):
        PatientFactory(registered_practice=area.practice_a, family_name=f"Ode{n}")
    api = APIClient()
    api.force_authenticate(gp)
    response = api.get(reverse("api-patient-list"), {"practice": area.practice_a.ods_code, "page_size": 2})
    assert response.status_code == 200
    next_url = response.json()["next"]
    query = parse_qs(urlsplit(next_url).query)
    assert query["practice"] == [area.practice_a.ods_code] and query["page_size"] == ["2"]
    assert "Ode" not in next_url
    following = api.get(next_url)
    assert following.status_code == 200 and len(following.json()["results"]) >= 1
    searched = api.post(reverse("api-patient-search"), {"q": "ode", "page_size": 2}, format="json").json()
    assert "ode" not in searched["next_cursor"].lower()


def test_listed_rows_are_audited_with_the_relationship_that_allowed_them(client, gp, care_coordinator, p1) -> None:
    for user in (gp, care_coordinator):
        client.force_login(user)
        assert client.get(reverse("patients:list")).status_code == 200
    rows = AuditEvent.objects.filter(action=AuditAction.LIST, patient_id=p1.pk)
    assert {(row.username, row.relationship) for row in rows} == {
        (gp.username, "registered_practice"),
        (care_coordinator.username, "registered_practice"),
    }


def test_a_form_that_fails_validation_audits_the_record_it_shows_again(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(reverse("patients:add_condition", args=[p1.public_id]), {"code": ""})
    assert response.status_code == 400 and p1.family_name.lower() in response.content.decode().lower()
    shown = AuditEvent.objects.filter(patient_id=p1.pk, action=AuditAction.VIEW, resource="condition_form")
    assert shown.count() == 1 and shown.get().relationship == "registered_practice"
