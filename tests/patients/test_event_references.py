"""Activity events keep referential integrity without per-row foreign-key triggers: the database
refuses an event naming a missing patient or provider, and refuses deleting a patient or
organisation that events still name (patients migration 0007). Raw SQL, so nothing in the ORM
can be what stops it."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction

from patients.models import ActivityEvent
from tests.patients.factories import ActivityEventFactory, PatientFactory, ProviderFactory

pytestmark = pytest.mark.django_db

INSERT = """INSERT INTO patients_activityevent (patient_id, kind, event_date, provider_id, source_system,
    source_id, length_of_stay_days, discharge_destination, with_fracture, recorded_at)
    VALUES (%s, 'fall', %s, %s, 'sus', %s, NULL, '', NULL, %s)"""


def _insert(patient_id: int, provider_id: int | None, source_id: str) -> None:
    now = datetime.datetime.now(tz=datetime.UTC)
    with connection.cursor() as cursor:
        cursor.execute(INSERT, [patient_id, datetime.date(2024, 1, 2), provider_id, source_id, now])


def test_an_event_for_a_missing_patient_or_provider_is_refused(area) -> None:
    patient = PatientFactory(registered_practice=area.practice_a)
    provider = ProviderFactory(ods_code="RVV01")
    _insert(patient.pk, provider.pk, "OK1")
    with pytest.raises(IntegrityError, match="patient"), transaction.atomic():
        _insert(patient.pk + 1000, provider.pk, "BAD1")
    with pytest.raises(IntegrityError, match="provider"), transaction.atomic():
        _insert(patient.pk, provider.pk + 1000, "BAD2")
    assert list(ActivityEvent.objects.values_list("source_id", flat=True)) == ["OK1"]


def test_moving_an_event_to_a_missing_patient_is_refused(area) -> None:
    event = ActivityEventFactory(patient=PatientFactory(registered_practice=area.practice_a))
    with pytest.raises(IntegrityError, match="patient"), transaction.atomic():
        ActivityEvent.objects.filter(pk=event.pk).update(patient_id=event.patient_id + 1000)
    other = PatientFactory(registered_practice=area.practice_a)
    ActivityEvent.objects.filter(pk=event.pk).update(patient_id=other.pk)
    assert ActivityEvent.objects.get(pk=event.pk).patient == other


def test_a_patient_or_provider_that_events_name_cannot_be_deleted_behind_their_back(area) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL refuses such deletes; on SQLite they are left to the ORM (migration 0007)")
    provider = ProviderFactory(ods_code="RVV02")
    event = ActivityEventFactory(patient=PatientFactory(registered_practice=area.practice_a), provider=provider)
    with pytest.raises(IntegrityError, match="patient"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM patients_patient WHERE id = %s", [event.patient_id])
    with pytest.raises(IntegrityError, match="organisation"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM caremodel_organisation WHERE id = %s", [provider.pk])
    assert ActivityEvent.objects.filter(pk=event.pk).exists()
    event.patient.delete()  # the ORM removes the events first, as the model's CASCADE says
    assert not ActivityEvent.objects.filter(pk=event.pk).exists()


def test_the_orm_cascades_a_patients_events_and_protects_a_provider(area) -> None:
    from django.db.models import ProtectedError

    provider = ProviderFactory(ods_code="RVV03")
    event = ActivityEventFactory(patient=PatientFactory(registered_practice=area.practice_a), provider=provider)
    with pytest.raises(ProtectedError), transaction.atomic():
        provider.delete()
    event.patient.delete()
    assert not ActivityEvent.objects.filter(pk=event.pk).exists()
    provider.delete()
