"""Pending matches: the administrator chooses among the plausible records, not only the suggested one;
and a merge fills the kept record's blank fields from the other record (audited)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from caremodel.models import AuditAction, AuditEvent
from patients.models import ActivityEvent, PendingMatch, PendingMatchStatus
from patients.services.merge import patient_merge
from patients.services.pending_matches import pending_match_candidates
from tests.patients.factories import PatientFactory

pytestmark = pytest.mark.django_db
BORN = datetime.date(1936, 2, 1)


@pytest.fixture
def people(area):
    suggested = PatientFactory(given_name="Ada", family_name="Byron", date_of_birth=BORN, postcode="TN23 1AA")
    namesake = PatientFactory(given_name="Ada", family_name="Byrne", date_of_birth=BORN, postcode="ME1 1AA")
    neighbour = PatientFactory(given_name="Augusta", family_name="King", date_of_birth=BORN, postcode="TN231AA")
    PatientFactory(given_name="Ada", family_name="Byron", date_of_birth=datetime.date(1936, 2, 2))  # another day
    PatientFactory(given_name="Zoe", family_name="Quill", date_of_birth=BORN, postcode="ZZ1 1ZZ")  # nothing alike
    match = PendingMatch.objects.create(
        source="activity",
        fingerprint="f1",
        line_number=2,
        given_name="Ada",
        family_name="Byron",
        date_of_birth=BORN,
        postcode="TN23 1AA",
        candidate=suggested,
        candidate_count=1,
        row={
            "event_type": "fall",
            "event_date": "2024-01-02",
            "provider_code": "",
            "source_id": "P1",
            "source_system": "sus",
        },
    )
    return match, suggested, namesake, neighbour


def test_candidates_are_born_the_same_day_with_a_similar_name_or_the_same_postcode(admin, people) -> None:
    match, suggested, namesake, neighbour = people
    found = pending_match_candidates(user=admin, matches=[match])[match.pk]
    assert found == [suggested, namesake, neighbour]
    audited = AuditEvent.objects.filter(action=AuditAction.LIST, resource="pending_match")
    assert set(audited.values_list("patient_id", flat=True)) == {suggested.pk, namesake.pk, neighbour.pk}


def test_only_an_administrator_sees_candidates(gp, people) -> None:
    with pytest.raises(PermissionDenied):
        pending_match_candidates(user=gp, matches=[people[0]])


def test_the_administrator_applies_the_row_to_another_candidate(client, admin, people) -> None:
    match, _suggested, namesake, _ = people
    client.force_login(admin)
    page = client.get(reverse("patients:pending_matches")).content.decode()
    assert "BYRNE, Ada" in page and "(suggested)" in page
    assert f'value="{namesake.public_id}"' in page
    response = client.post(
        reverse("patients:pending_match_decide", args=[match.pk]),
        {"decision": "confirm", "patient": str(namesake.public_id)},
    )
    assert response.status_code == 302
    assert ActivityEvent.objects.get().patient == namesake
    match.refresh_from_db()
    assert (match.status, match.candidate) == (PendingMatchStatus.CONFIRMED, namesake)


def test_a_record_that_was_not_offered_cannot_be_chosen(client, admin, people, p2) -> None:
    match = people[0]
    client.force_login(admin)
    response = client.post(
        reverse("patients:pending_match_decide", args=[match.pk]), {"decision": "confirm", "patient": str(p2.public_id)}
    )
    assert response.status_code == 302
    assert "Choose the record this row belongs to from the list." in client.get(response["Location"]).content.decode()
    assert not ActivityEvent.objects.exists()
    match.refresh_from_db()
    assert match.status == PendingMatchStatus.PENDING


def test_merge_fills_the_kept_records_blank_fields(admin, gp, area) -> None:
    keep = PatientFactory(given_name="Margaret", family_name="Smith", date_of_birth=BORN, postcode="")
    remove = PatientFactory(
        given_name="Maggie",
        family_name="Smith",
        date_of_birth=BORN,
        postcode="TN24 9ZZ",
        lives_alone=True,
        preferred_language="Welsh",
        interpreter_needed=True,
        accountable_gp=gp,
        consent_to_share="given",
        consent_recorded_by=gp,
    )
    keep.registered_practice = None
    keep.save(update_fields=["registered_practice"])
    result = patient_merge(user=admin, keep=keep, remove=remove)
    kept = result.kept
    assert (kept.postcode, kept.registered_practice, kept.lives_alone) == ("TN24 9ZZ", remove.registered_practice, True)
    assert (kept.preferred_language, kept.interpreter_needed, kept.accountable_gp) == ("Welsh", True, gp)
    assert (kept.consent_to_share, kept.consent_recorded_by) == ("given", gp)
    assert kept.given_name == "Margaret"  # names are never filled: they are not blank
    merge = AuditEvent.objects.filter(action=AuditAction.MERGE, patient_id=keep.pk).get()
    assert merge.detail["filled"] == [
        "accountable_gp",
        "consent_recorded_at",
        "consent_recorded_by",
        "consent_to_share",
        "interpreter_needed",
        "lives_alone",
        "postcode",
        "preferred_language",
        "registered_practice",
    ]


def test_merge_keeps_what_the_kept_record_already_says(admin, area) -> None:
    keep = PatientFactory(family_name="Smith", date_of_birth=BORN, postcode="TN23 1AA", lives_alone=False)
    remove = PatientFactory(family_name="Smith", date_of_birth=BORN, postcode="TN24 9ZZ", lives_alone=True)
    kept = patient_merge(user=admin, keep=keep, remove=remove).kept
    assert (kept.postcode, kept.lives_alone) == ("TN23 1AA", False)
