"""The access policy answers both questions the same way, fails closed, and denies commissioners."""

import pytest
from django.db import DatabaseError

from caremodel.access import AccessCheckUnavailable, PatientAccessPolicy, patient_access_policy
from patients.models import Patient
from patients.selectors.patient import patient_scoped_queryset

pytestmark = pytest.mark.django_db


def test_gp_sees_patients_of_their_practice_only(gp, p1, p2) -> None:
    visible = set(patient_scoped_queryset(user=gp))
    assert visible == {p1}
    assert patient_access_policy.may_view(user=gp, patient=p1)
    assert not patient_access_policy.may_view(user=gp, patient=p2)


def test_neighbourhood_team_sees_every_practice_of_its_cluster(area, care_coordinator, p1, p2) -> None:
    from tests.caremodel.factories import PracticeFactory
    from tests.patients.factories import PatientFactory

    sibling = PracticeFactory(cluster=area.cluster_a)
    p3 = PatientFactory(registered_practice=sibling)
    assert set(patient_scoped_queryset(user=care_coordinator)) == {p1, p3}
    relationship = patient_access_policy.relationship_with(user=care_coordinator, patient=p3)
    assert relationship is not None and relationship.name == "registered_practice"


def test_both_questions_agree_for_every_user_and_patient(gp, gp_b, care_coordinator, spa_clinician, p1, p2) -> None:
    for user in (gp, gp_b, care_coordinator, spa_clinician):
        scoped = set(patient_scoped_queryset(user=user))
        for patient in Patient.objects.all():
            assert (patient in scoped) is patient_access_policy.may_view(user=user, patient=patient)


def test_commissioner_sees_no_patient_even_as_a_team_member(commissioner, p1) -> None:
    assert not patient_scoped_queryset(user=commissioner).exists()
    assert not patient_access_policy.may_view(user=commissioner, patient=p1)


def test_deactivated_user_sees_nothing(deactivated_user, p1) -> None:
    assert not patient_scoped_queryset(user=deactivated_user).exists()


def test_leaving_the_team_removes_access_at_once(gp, p1, area) -> None:
    assert patient_access_policy.may_view(user=gp, patient=p1)
    area.practice_team_a.memberships.filter(user=gp).delete()
    assert not patient_access_policy.may_view(user=gp, patient=p1)


def test_an_inactive_team_grants_nothing(gp, p1, area) -> None:
    area.practice_team_a.active = False
    area.practice_team_a.save()
    assert not patient_access_policy.may_view(user=gp, patient=p1)


def test_relationship_lookup_failure_fails_closed(gp, p1) -> None:
    policy = PatientAccessPolicy()

    def broken(user):
        raise DatabaseError("relationship store down")

    policy.register_relationship(name="broken", label="Broken", rule=broken)
    with pytest.raises(AccessCheckUnavailable):
        policy.scope(user=gp, queryset=Patient.objects.all())
    with pytest.raises(AccessCheckUnavailable):
        policy.may_view(user=gp, patient=p1)


def test_a_policy_with_no_relationships_grants_nothing(gp, p1) -> None:
    assert not PatientAccessPolicy().scope(user=gp, queryset=Patient.objects.all()).exists()
