"""Search and the patient list: accents, NHS numbers, filters, keyset pages, audit, scope, query counts."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caremodel.models import AuditAction, AuditEvent
from patients.services.search import patient_search
from tests.patients.factories import CareHomeResidenceFactory, ConditionFactory, PatientFactory

pytestmark = pytest.mark.django_db


def test_name_search_ignores_case_and_accents(gp, area) -> None:
    zoe = PatientFactory(given_name="Zoë", family_name="Brontë", registered_practice=area.practice_a)
    PatientFactory(given_name="Ann", family_name="Other", registered_practice=area.practice_a)
    for query in ("bronte", "BRONTË", "Zoe Bron", "bron zoë", "Brontë, Zoë"):
        assert [p.pk for p in patient_search(user=gp, filters={"q": query}).rows] == [zoe.pk], query


def test_one_word_matches_the_start_of_the_family_or_the_given_name(gp, area, p2) -> None:
    ada = PatientFactory(given_name="Adaeze", family_name="Okafor", registered_practice=area.practice_a)
    adams = PatientFactory(given_name="John", family_name="Adams", registered_practice=area.practice_a)
    PatientFactory(given_name="Ann", family_name="Other", registered_practice=area.practice_a)
    # Ordered by family name: ADAMS before OKAFOR, whichever name matched.
    assert [p.pk for p in patient_search(user=gp, filters={"q": "ada"}).rows] == [adams.pk, ada.pk]
    assert [p.pk for p in patient_search(user=gp, filters={"q": "ADAEZE"}).rows] == [ada.pk]
    assert [p.pk for p in patient_search(user=gp, filters={"q": "okaf"}).rows] == [ada.pk]
    # A given name never reaches past the care relationship (P2 is Bea Hidden, elsewhere).
    assert patient_search(user=gp, filters={"q": p2.given_name}).rows == []
    # Two words still need both names.
    assert [p.pk for p in patient_search(user=gp, filters={"q": "john ada"}).rows] == [adams.pk]
    assert patient_search(user=gp, filters={"q": "ann ada"}).rows == []


def test_nhs_number_search_takes_any_formatting_and_says_when_invalid(gp, p1) -> None:
    n = p1.nhs_number
    for query in (n, f"{n[:3]} {n[3:6]} {n[6:]}", f"{n[:3]}-{n[3:6]}-{n[6:]}"):
        assert patient_search(user=gp, filters={"q": query}).rows == [p1]
    with pytest.raises(ValidationError) as exc:
        patient_search(user=gp, filters={"q": "123 456 7890"})
    assert "check digit" in str(exc.value.message_dict["nhs_number"])


def test_gp_a_never_sees_p2_in_lists_searches_or_pages(gp, p1, p2) -> None:
    assert patient_search(user=gp, filters={}).rows == [p1]
    assert patient_search(user=gp, filters={"q": p2.family_name}).rows == []
    assert patient_search(user=gp, filters={"q": p2.nhs_number}).rows == []
    assert patient_search(user=gp, filters={"practice": p2.registered_practice.ods_code}).rows == []
    assert not AuditEvent.objects.filter(patient_id=p2.pk, action=AuditAction.LIST).exists()


def test_filters_by_age_condition_care_home_and_postcode(gp, area) -> None:
    today = datetime.date.today()
    old = PatientFactory(registered_practice=area.practice_a, date_of_birth=today.replace(year=today.year - 90))
    young = PatientFactory(
        registered_practice=area.practice_a, date_of_birth=today.replace(year=today.year - 40), postcode="CT20 2AB"
    )
    ConditionFactory(patient=old)
    CareHomeResidenceFactory(patient=old)
    assert patient_search(user=gp, filters={"age_band": "85+"}).rows == [old]
    assert patient_search(user=gp, filters={"age_band": "0-64"}).rows == [young]
    assert patient_search(user=gp, filters={"condition": "heart_failure"}).rows == [old]
    assert patient_search(user=gp, filters={"care_home": "true"}).rows == [old]
    assert patient_search(user=gp, filters={"care_home": "false"}).rows == [young]
    assert patient_search(user=gp, filters={"postcode": "ct202ab"}).rows == [young]
    assert patient_search(user=gp, filters={"date_of_birth": old.date_of_birth.isoformat()}).rows == [old]
    with pytest.raises(ValidationError) as exc:
        patient_search(user=gp, filters={"age_band": "ancient"})
    assert "age_band" in exc.value.message_dict


def test_keyset_pages_cover_everyone_once_and_audit_each_row(gp, area) -> None:
    patients = [PatientFactory(registered_practice=area.practice_a, family_name=f"Name{i % 3}") for i in range(7)]
    seen, cursor = [], None
    while True:
        page = patient_search(user=gp, filters={}, cursor=cursor, page_size=3)
        seen += [p.pk for p in page.rows]
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert sorted(seen) == sorted(p.pk for p in patients) and len(seen) == 7
    assert AuditEvent.objects.filter(action=AuditAction.LIST).count() == 7
    with pytest.raises(ValidationError):
        patient_search(user=gp, filters={}, cursor="not-a-cursor")


@pytest.mark.parametrize("rows", [1, 50])
def test_list_page_makes_the_same_number_of_queries_for_1_and_50_rows(
    rows, client, gp, area, django_assert_num_queries
):
    for _ in range(rows):
        PatientFactory(registered_practice=area.practice_a)
    client.force_login(gp)
    # session, user, the page of patients, the audit insert, the practice choices, and the
    # header's own lookups: constant whatever the number of rows
    with django_assert_num_queries(8):
        response = client.get(reverse("patients:list"))
    assert response.status_code == 200
    assert response.content.decode().count('href="/patients/') >= rows


def test_list_page_search_is_posted_and_invalid_nhs_number_is_explained(client, gp, p1, p2) -> None:
    client.force_login(gp)
    response = client.post(reverse("patients:list"), {"q": "943 476 5918"})
    assert response.status_code == 400
    assert "check digit" in response.content.decode()
    response = client.post(reverse("patients:list"), {"q": p1.nhs_number})
    assert response.status_code == 303 and p1.nhs_number not in response["Location"]
    response = client.get(response["Location"])
    assert f'<a href="/patients/{p1.public_id}/">' in response.content.decode()
    response = client.get(reverse("patients:list"), {"q": p1.nhs_number})
    assert response.status_code == 400 and p1.display_name not in response.content.decode()
    response = client.post(reverse("patients:list"), {"q": "hidden"}, follow=True)
    assert p2.family_name not in response.content.decode()
    assert "No patients match" in response.content.decode()


def test_record_page_shows_registers_carers_and_timeline_and_is_audited(client, gp, p1) -> None:
    from tests.patients.factories import ActivityEventFactory, CarerFactory

    ConditionFactory(patient=p1)
    CarerFactory(patient=p1, carer_name="Jo Daughter", is_main_carer=True)
    ActivityEventFactory(patient=p1)
    client.force_login(gp)
    body = client.get(reverse("patients:detail", args=[p1.public_id])).content.decode()
    for text in ("Heart failure", "Jo Daughter", "Main carer", "Emergency admission", "Consent to share"):
        assert text in body
    # A panel slot only for the apps that serve one: risk exists, care plans, referrals and MDT do not yet.
    assert body.count("hx-get=") == 1
    assert f'hx-get="{reverse("stratification:patient_panel", args=[p1.public_id])}"' in body
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, patient_id=p1.pk).count() == 1


def test_carers_register_lists_only_visible_people(client, gp, area, p1, p2) -> None:
    from tests.patients.factories import CarerFactory

    CarerFactory(patient=p1, carer_name="Visible Carer")
    CarerFactory(patient=p2, carer_name="Hidden Carer")
    CarerFactory(patient=p2, carer_patient=p1, carer_name="")  # p1 cares for hidden p2
    client.force_login(gp)
    body = client.get(reverse("patients:carers_register", args=[area.practice_a.ods_code])).content.decode()
    assert "Visible Carer" in body
    assert f'<a href="/patients/{p1.public_id}/">' in body
    assert "Hidden Carer" not in body and p2.family_name not in body


def test_counts_never_include_p2(client, gp, p1, p2) -> None:
    client.force_login(gp)
    body = client.get(reverse("patients:home_panel")).content.decode()
    assert "<strong>1</strong> person" in body


def test_family_and_given_name_matches_page_together_in_name_order(gp, area) -> None:
    """The two name branches run as separate queries; their union must page like one ordered list."""
    adams = PatientFactory(registered_practice=area.practice_a, given_name="John", family_name="Adams")
    brown = PatientFactory(registered_practice=area.practice_a, given_name="Adam", family_name="Brown")
    smith = PatientFactory(registered_practice=area.practice_a, given_name="Ada", family_name="Smith")
    PatientFactory(registered_practice=area.practice_a, given_name="Eve", family_name="Jones")
    first = patient_search(user=gp, filters={"q": "ada"}, page_size=2)
    assert [p.pk for p in first.rows] == [adams.pk, brown.pk]
    assert first.next_cursor
    second = patient_search(user=gp, filters={"q": "ada"}, cursor=first.next_cursor, page_size=2)
    assert [p.pk for p in second.rows] == [smith.pk]
    assert second.next_cursor is None
