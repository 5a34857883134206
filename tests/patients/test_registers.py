"""Registers on the patient: audited writes with optimistic concurrency, care homes, carers."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from caremodel.access import PatientNotVisible
from caremodel.models import AuditAction, AuditEvent
from patients.models import ActivityEvent, CareHomeResidence, CarerRelationship, Patient
from patients.rules.events import EventInput
from patients.services.care_homes import care_home_admit, care_home_leave
from patients.services.carers import carer_add, carer_end
from patients.services.events import EventSourceConflict, event_record
from patients.services.patient import PatientVersionConflict, patient_update_registers
from tests.patients.factories import CareHomeFactory, PatientFactory


@pytest.mark.django_db
def test_each_register_write_is_audited_and_raises_the_version(gp, p1) -> None:
    p1 = patient_update_registers(
        user=gp, patient=p1, expected_version=1, changes={"lives_alone": True, "housebound": True}
    )
    p1 = patient_update_registers(user=gp, patient=p1, expected_version=2, changes={"consent_to_share": "declined"})
    p1 = patient_update_registers(
        user=gp,
        patient=p1,
        expected_version=3,
        changes={"interpreter_needed": True, "preferred_language": "Polish", "communication_needs": ""},
    )
    p1 = patient_update_registers(user=gp, patient=p1, expected_version=4, changes={"key_worker": gp.pk})
    assert (p1.version, p1.consent_recorded_by, p1.key_worker) == (5, gp, gp)
    assert AuditEvent.objects.filter(action=AuditAction.UPDATE, patient_id=p1.pk, outcome="allowed").count() == 4
    with pytest.raises(PatientVersionConflict):
        patient_update_registers(user=gp, patient=p1, expected_version=4, changes={"key_worker": None})


@pytest.mark.django_db
def test_over_75s_keep_a_named_accountable_gp(gp, care_coordinator, area) -> None:
    patient = PatientFactory(registered_practice=area.practice_a, date_of_birth=datetime.date(1930, 1, 1))
    patient = patient_update_registers(user=gp, patient=patient, expected_version=1, changes={"accountable_gp": gp.pk})
    with pytest.raises(ValidationError) as cleared:
        patient_update_registers(user=gp, patient=patient, expected_version=2, changes={"accountable_gp": None})
    assert "aged 75 and over" in cleared.value.message_dict["accountable_gp"][0]
    with pytest.raises(ValidationError) as not_a_gp:
        patient_update_registers(
            user=gp, patient=patient, expected_version=2, changes={"accountable_gp": care_coordinator.pk}
        )
    assert "must be an active GP" in not_a_gp.value.message_dict["accountable_gp"][0]


@pytest.mark.django_db
def test_writes_need_a_care_relationship(gp, p2) -> None:
    with pytest.raises(PatientNotVisible):
        patient_update_registers(
            user=gp, patient=p2, expected_version=1, changes={"lives_alone": True, "housebound": False}
        )
    assert Patient.objects.get(pk=p2.pk).version == 1


@pytest.mark.django_db
def test_care_home_moves_keep_one_current_stay(gp, p1) -> None:
    first, second = CareHomeFactory(), CareHomeFactory()
    care_home_admit(user=gp, patient=p1, care_home=first, since=datetime.date(2024, 1, 1), nursing=False)
    care_home_admit(user=gp, patient=p1, care_home=second, since=datetime.date(2024, 6, 1), nursing=True)
    stays = list(CareHomeResidence.objects.filter(patient=p1).order_by("since"))
    assert [s.until for s in stays] == [datetime.date(2024, 5, 31), None]
    care_home_leave(user=gp, patient=p1, until=datetime.date(2024, 7, 1))
    assert not CareHomeResidence.objects.filter(patient=p1, until__isnull=True).exists()


@pytest.mark.django_db
def test_a_new_main_carer_replaces_the_old_one(gp, p1, area) -> None:
    carer_add(user=gp, patient=p1, relationship="wife", carer_name="Ann", is_main_carer=True)
    neighbour = PatientFactory(registered_practice=area.practice_a)
    carer_add(user=gp, patient=p1, relationship="neighbour", carer_patient=neighbour, is_main_carer=True)
    assert CarerRelationship.objects.get(patient=p1, is_main_carer=True).carer_patient == neighbour
    with pytest.raises(ValidationError):
        carer_add(user=gp, patient=p1, relationship="self", carer_patient=p1)


@pytest.mark.django_db
def test_ending_a_carer_keeps_them_as_a_former_carer_and_is_audited(gp, p1) -> None:
    carer = carer_add(
        user=gp, patient=p1, relationship="son", carer_name="Sam", is_main_carer=True, since=datetime.date(2020, 1, 1)
    )
    with pytest.raises(ValidationError) as early:
        carer_end(user=gp, carer=carer, until=datetime.date(2019, 12, 31))
    assert "cannot end before it began" in early.value.message_dict["until"][0]
    carer = carer_end(user=gp, carer=carer, until=datetime.date(2024, 3, 1))
    assert (carer.until, carer.is_main_carer) == (datetime.date(2024, 3, 1), False)
    assert AuditEvent.objects.filter(patient_id=p1.pk, resource="carer", detail__ended=True).count() == 1


@pytest.mark.django_db
def test_an_event_sent_twice_is_stored_once(gp, p1, area) -> None:
    data = EventInput(
        kind="fall",
        event_date=datetime.date(2024, 1, 1),
        source_system="ambulance",
        source_id="A1",
        with_fracture=False,
    )
    assert event_record(user=gp, patient=p1, data=data)[1] is True
    assert event_record(user=gp, patient=p1, data=data)[1] is False
    other = PatientFactory(registered_practice=area.practice_a)
    with pytest.raises(EventSourceConflict):
        event_record(user=gp, patient=other, data=data)
    assert ActivityEvent.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_editors_of_one_version_exactly_one_wins(gp, p1) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL for real concurrent transactions")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def edit(housebound: bool) -> None:
        try:
            barrier.wait()
            patient_update_registers(
                user=gp,
                patient=Patient.objects.get(pk=p1.pk),
                expected_version=1,
                changes={"lives_alone": None, "housebound": housebound},
            )
            outcomes.append("ok")
        except PatientVersionConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=edit, args=(flag,)) for flag in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "ok"]
    assert Patient.objects.get(pk=p1.pk).version == 2
