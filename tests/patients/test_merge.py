"""Duplicate detection and the administrator's merge."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from caremodel.models import AuditAction, AuditEvent
from patients.models import ActivityEvent, CareHomeResidence, CarerRelationship, Patient, PatientCondition, PendingMatch
from patients.services.merge import patient_duplicate_pairs, patient_merge
from tests.patients.factories import (
    ActivityEventFactory,
    CareHomeResidenceFactory,
    CarerFactory,
    ConditionFactory,
    PatientFactory,
)

pytestmark = pytest.mark.django_db
BORN = datetime.date(1931, 7, 9)


@pytest.fixture
def pair(area):
    keep = PatientFactory(
        given_name="Margaret", family_name="Smith", date_of_birth=BORN, registered_practice=area.practice_a
    )
    remove = PatientFactory(
        given_name="Maggie", family_name="Smith", date_of_birth=BORN, registered_practice=area.practice_a
    )
    return keep, remove


def test_probable_duplicates_share_birth_date_and_name_or_postcode(admin, pair, area) -> None:
    PatientFactory(given_name="Margaret", family_name="Jones", date_of_birth=BORN, postcode="ZZ1 1ZZ")
    pairs = patient_duplicate_pairs(user=admin)
    assert [(p.first.pk, p.second.pk) for p in pairs] == [(pair[0].pk, pair[1].pk)]
    assert pairs[0].reason == "same family name"


def test_only_an_administrator_reviews_or_merges(gp, pair) -> None:
    with pytest.raises(PermissionDenied):
        patient_duplicate_pairs(user=gp)
    with pytest.raises(PermissionDenied):
        patient_merge(user=gp, keep=pair[0], remove=pair[1])
    assert Patient.objects.count() == 2
    assert AuditEvent.objects.filter(action=AuditAction.MERGE, outcome="denied").count() == 2


def test_merge_moves_every_related_row_and_is_audited(admin, pair) -> None:
    keep, remove = pair
    ConditionFactory(patient=keep, onset_date=datetime.date(2015, 1, 1))
    ConditionFactory(patient=remove, onset_date=datetime.date(2015, 1, 1))  # same fact: not duplicated
    ConditionFactory(patient=remove, onset_date=datetime.date(2019, 1, 1))
    ActivityEventFactory.create_batch(3, patient=remove)
    CarerFactory(patient=keep, is_main_carer=True)
    CarerFactory(patient=remove, is_main_carer=True, carer_name="Other main carer")
    cared_for = PatientFactory()
    CarerFactory(patient=cared_for, carer_patient=remove, carer_name="")
    CareHomeResidenceFactory(patient=keep, since=datetime.date(2022, 1, 1))
    CareHomeResidenceFactory(patient=remove, since=datetime.date(2023, 1, 1))
    PendingMatch.objects.create(source="gp_extract", fingerprint="f", line_number=2, candidate=remove)

    result = patient_merge(user=admin, keep=keep, remove=remove)

    assert not Patient.objects.filter(pk=remove.pk).exists()
    assert PatientCondition.objects.filter(patient=keep).count() == 2
    assert ActivityEvent.objects.filter(patient=keep).count() == 3
    assert CarerRelationship.objects.filter(patient=keep).count() == 2
    assert CarerRelationship.objects.filter(patient=keep, is_main_carer=True, until__isnull=True).count() == 1
    assert CarerRelationship.objects.get(patient=cared_for).carer_patient == keep
    assert CareHomeResidence.objects.filter(patient=keep).count() == 2
    assert CareHomeResidence.objects.filter(patient=keep, until__isnull=True).get().since == datetime.date(2023, 1, 1)
    assert PendingMatch.objects.get().candidate == keep
    assert result.moved["events"] == 3 and result.kept.version == 2
    merges = AuditEvent.objects.filter(action=AuditAction.MERGE, outcome="allowed")
    assert set(merges.values_list("patient_id", flat=True)) == {keep.pk, remove.pk}
    assert merges.first().detail["removed"] == str(remove.public_id)


def test_merge_page_for_the_administrator(client, admin, pair) -> None:
    client.force_login(admin)
    assert "same family name" in client.get(reverse("patients:duplicates")).content.decode().lower()
    response = client.post(reverse("patients:merge"), {"keep": pair[0].public_id, "remove": pair[1].public_id})
    assert response.status_code == 302
    assert Patient.objects.count() == 1
    assert "Records merged" in client.get(reverse("patients:duplicates")).content.decode()
