"""Record an activity event by hand: the form, the typed service, the audit and the timeline."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from caremodel.models import AuditAction, AuditEvent, AuditOutcome
from patients.models import ActivityEvent, Patient
from patients.services.events import MANUAL_SOURCE, event_record_manual
from tests.patients.factories import ProviderFactory

pytestmark = pytest.mark.django_db


def url(name: str, patient: Patient) -> str:
    return reverse(f"patients:{name}", args=[patient.public_id])


def event_data(kind: str, when: datetime.date = datetime.date(2024, 5, 1), **extra: object) -> dict[str, object]:
    return {
        "kind": kind,
        "event_date_day": when.day,
        "event_date_month": when.month,
        "event_date_year": when.year,
        **extra,
    }


def test_an_admission_with_its_provider_and_length_of_stay(client, gp, p1) -> None:
    hospital = ProviderFactory(name="Weald General")
    client.force_login(gp)
    page = client.get(url("add_event", p1))
    assert page.status_code == 200
    assert "Weald General" in page.content.decode()
    assert f'href="{url("add_event", p1)}"' in client.get(url("detail", p1)).content.decode()
    data = event_data("emergency_admission", provider=hospital.pk, length_of_stay_days="4")
    response = client.post(url("add_event", p1), data)
    assert response.status_code == 302
    assert response["Location"] == url("detail", p1)
    event = ActivityEvent.objects.get(patient=p1)
    assert (event.kind, event.event_date, event.provider, event.length_of_stay_days) == (
        "emergency_admission",
        datetime.date(2024, 5, 1),
        hospital,
        4,
    )
    assert event.source_system == MANUAL_SOURCE and len(event.source_id) == 32
    audit = AuditEvent.objects.get(action=AuditAction.CREATE, patient_id=p1.pk, resource="activity_event")
    assert audit.detail == {"kind": "emergency_admission", "source_system": "manual"}
    timeline = client.get(url("detail", p1)).content.decode()
    assert "Emergency admission" in timeline
    assert "4 days in hospital" in timeline


def test_a_discharge_needs_its_destination_and_a_fall_its_fracture(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(url("add_event", p1), event_data("discharge"))
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_discharge_destination"' in body
    assert "Say where the patient was discharged to." in body
    response = client.post(url("add_event", p1), event_data("fall"))
    assert "Say whether the fall was with or without a fracture." in response.content.decode()
    assert not ActivityEvent.objects.exists()
    client.post(url("add_event", p1), event_data("discharge", discharge_destination="care_home"))
    client.post(url("add_event", p1), event_data("fall", with_fracture="yes"))
    assert sorted(ActivityEvent.objects.values_list("kind", "discharge_destination", "with_fracture")) == [
        ("discharge", "care_home", None),
        ("fall", "", True),
    ]
    assert "With a fracture" in client.get(url("detail", p1)).content.decode()


def test_details_that_do_not_apply_to_the_kind_are_refused(client, gp, p1) -> None:
    client.force_login(gp)
    data = event_data("ae_attendance", length_of_stay_days="3", discharge_destination="care_home", with_fracture="no")
    response = client.post(url("add_event", p1), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Only an admission has a length of stay" in body
    assert "Only a discharge has a destination" in body
    assert "Only a fall is recorded with or without a fracture" in body
    assert not ActivityEvent.objects.exists()


def test_bad_input_names_the_field_never_a_500(client, gp, p1) -> None:
    client.force_login(gp)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = client.post(
        url("add_event", p1), event_data("nonsense", tomorrow, provider="999999", length_of_stay_days="four")
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Choose what happened from the list." in body
    assert "The event date cannot be in the future." in body
    assert "Choose the provider from the list." in body
    assert "Length of stay must be a whole number of days" in body
    response = client.post(url("add_event", p1), event_data("fall", datetime.date(1930, 1, 1), with_fracture="no"))
    assert response.status_code == 400
    assert "The event date cannot be before the date of birth." in response.content.decode()
    response = client.post(url("add_event", p1), {"kind": "fall", "with_fracture": "no"})
    assert "Enter the event date." in response.content.decode()
    assert not ActivityEvent.objects.exists()


def test_the_service_checks_access_and_rules(gp, p1, p2) -> None:
    from caremodel.access import PatientNotVisible

    with pytest.raises(PatientNotVisible):
        event_record_manual(user=gp, patient=p2, kind="fall", event_date=datetime.date(2024, 1, 1), with_fracture=False)
    assert AuditEvent.objects.filter(patient_id=p2.pk, outcome=AuditOutcome.DENIED).exists()
    with pytest.raises(ValidationError) as refused:
        event_record_manual(user=gp, patient=p1, kind="discharge", event_date=datetime.date(2024, 1, 1))
    assert refused.value.message_dict == {"discharge_destination": ["Say where the patient was discharged to."]}
    first = event_record_manual(user=gp, patient=p1, kind="ae_attendance", event_date=datetime.date(2024, 1, 1))
    second = event_record_manual(user=gp, patient=p1, kind="ae_attendance", event_date=datetime.date(2024, 1, 1))
    assert first.pk != second.pk and first.source_id != second.source_id  # two visits the same day are two events
    assert not ActivityEvent.objects.filter(patient=p2).exists()


def test_the_form_is_404_without_a_relationship_and_403_for_a_commissioner(client, gp, commissioner, p1, p2) -> None:
    client.force_login(gp)
    assert client.get(url("add_event", p2)).status_code == 404
    assert client.post(url("add_event", p2), event_data("ae_attendance")).status_code == 404
    client.force_login(commissioner)
    assert client.post(url("add_event", p1), event_data("ae_attendance")).status_code == 403
    assert not ActivityEvent.objects.exists()
