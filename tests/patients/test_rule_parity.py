"""One table of events, fed to every entry point that takes one: the record's event form, the events
API and the activity import. Each must give the same verdict, field for field and word for word,
because each asks the one set of rules (patients.rules.events)."""

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from patients.forms_record import EventForm
from patients.imports import import_activity
from patients.rules import events as rules
from tests.caremodel.factories import PracticeFactory
from tests.patients.factories import PatientFactory, ProviderFactory, nhs_number_for

pytestmark = pytest.mark.django_db

BORN = datetime.date(1940, 6, 1)
TOMORROW = object()  # stands for the day after the test runs
# (kind, event date, length of stay, discharge destination, fracture, provider) -> the fields at fault.
CASES: list[tuple[str, Any, int | None, str, bool | None, str, set[str]]] = [
    ("ae_attendance", datetime.date(2024, 5, 1), None, "", None, "hospital", set()),
    ("emergency_admission", datetime.date(2024, 5, 1), 4, "", None, "hospital", set()),
    ("ae_attendance", datetime.date(2024, 5, 1), 3, "", None, "", {"length_of_stay_days"}),
    ("elective_admission", datetime.date(2024, 5, 1), rules.MAX_STAY_DAYS + 1, "", None, "", {"length_of_stay_days"}),
    ("emergency_admission", datetime.date(2024, 5, 1), -1, "", None, "", {"length_of_stay_days"}),
    ("discharge", datetime.date(2024, 5, 1), None, "", None, "", {"discharge_destination"}),
    ("discharge", datetime.date(2024, 5, 1), None, "care_home", None, "", set()),
    ("ae_attendance", datetime.date(2024, 5, 1), None, "care_home", None, "", {"discharge_destination"}),
    ("fall", datetime.date(2024, 5, 1), None, "", None, "", {"with_fracture"}),
    ("fall", datetime.date(2024, 5, 1), None, "", True, "", set()),
    ("out_of_hours_contact", datetime.date(2024, 5, 1), None, "", False, "", {"with_fracture"}),
    ("ae_attendance", TOMORROW, None, "", None, "", {"event_date"}),
    ("ae_attendance", datetime.date(1939, 1, 1), None, "", None, "", {"event_date"}),
    ("ae_attendance", datetime.date(2024, 5, 1), None, "", None, "practice", {"provider"}),
    (
        "discharge",
        datetime.date(2024, 5, 1),
        2,
        "",
        True,
        "",
        {"length_of_stay_days", "discharge_destination", "with_fracture"},
    ),
]
COLUMN_FIELD = {column: field for field, column in rules.IMPORT_COLUMNS.items()}


@pytest.fixture
def setting(area):
    providers = {"hospital": ProviderFactory(ods_code="RHOSP"), "practice": PracticeFactory(ods_code="PGPX1")}
    patient = PatientFactory(registered_practice=area.practice_a, date_of_birth=BORN, nhs_number=nhs_number_for(4242))
    return patient, providers


def _when(value: Any) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=1) if value is TOMORROW else value


def form_verdict(case, providers) -> dict[str, str]:
    kind, when, stay, destination, fracture, provider, _ = case
    day = _when(when)
    data = {
        "kind": kind,
        "event_date_day": day.day,
        "event_date_month": day.month,
        "event_date_year": day.year,
        "provider": str(providers[provider].pk) if provider else "",
        "length_of_stay_days": "" if stay is None else str(stay),
        "discharge_destination": destination,
        "with_fracture": {True: "yes", False: "no", None: ""}[fracture],
    }
    form = EventForm(data, providers=list(providers.values()), date_of_birth=BORN)
    form.is_valid()
    return {field: messages[0] for field, messages in form.errors.items()}


def api_verdict(case, providers, client: APIClient, patient, number: int) -> dict[str, str]:
    kind, when, stay, destination, fracture, provider, _ = case
    body = {
        "kind": kind,
        "event_date": _when(when).isoformat(),
        "source_system": "parity",
        "source_id": f"API{number}",
        "provider": providers[provider].ods_code if provider else None,
        "length_of_stay_days": stay,
        "discharge_destination": destination,
        "with_fracture": fracture,
    }
    response = client.post(reverse("api-patient-events", args=[patient.public_id]), body, format="json")
    if response.status_code in (200, 201):
        return {}
    assert response.status_code == 400, response.content
    return {field: messages[0] for field, messages in response.json().items()}


def import_verdicts(providers, patient, admin) -> list[dict[str, str]]:
    header = (
        "nhs_number,event_type,event_date,provider_code,source_id,length_of_stay,discharge_destination,with_fracture"
    )
    lines = [header]
    for number, (kind, when, stay, destination, fracture, provider, _) in enumerate(CASES):
        cells = [
            patient.nhs_number,
            kind,
            _when(when).isoformat(),
            providers[provider].ods_code if provider else "",
            f"IMP{number}",
            "" if stay is None else str(stay),
            destination,
            {True: "yes", False: "no", None: ""}[fracture],
        ]
        lines.append(",".join(cells))
    report = import_activity(data=("\n".join(lines) + "\n").encode(), user=admin)
    verdicts: list[dict[str, str]] = [{} for _ in CASES]
    for error in report.errors:
        verdicts[error.line - 2][COLUMN_FIELD[error.field]] = error.reason
    return verdicts


def test_the_form_the_api_and_the_import_give_the_same_verdicts(setting, gp, admin) -> None:
    patient, providers = setting
    client = APIClient()
    client.force_authenticate(gp)
    from_import = import_verdicts(providers, patient, admin)
    for number, case in enumerate(CASES):
        expected_fields = case[-1]
        from_form = form_verdict(case, providers)
        from_api = api_verdict(case, providers, client, patient, number)
        assert set(from_form) == expected_fields, (case, from_form)
        assert from_api == from_form, (case, from_api, from_form)
        assert from_import[number] == from_form, (case, from_import[number], from_form)
