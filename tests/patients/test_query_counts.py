"""Pages and endpoints cost the same number of queries for one row as for many (no N+1 can creep
in): the record page, the carers register, the conditions and events APIs and the duplicates page."""

import datetime
from collections.abc import Callable

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from patients.models import ClinicalCode
from tests.patients.factories import (
    ActivityEventFactory,
    CarerFactory,
    ConditionFactory,
    PatientFactory,
    ProviderFactory,
)

pytestmark = pytest.mark.django_db


def _queries(fetch: Callable[[], object]) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200  # type: ignore[attr-defined]
    return len(captured)


def _fill(patient, count: int, area) -> None:
    """`count` conditions, events (each with a provider) and carers (half of them patients)."""
    hospital = ProviderFactory()
    codes = ("84114007", "13645005", "73211009", "52448006", "49436004", "38341003")
    for n in range(count):
        ConditionFactory(
            patient=patient,
            code=ClinicalCode.objects.get(code=codes[n % len(codes)]),
            onset_date=datetime.date(2000 + n, 1, 1),
        )
        ActivityEventFactory(patient=patient, provider=hospital, event_date=datetime.date(2024, 1, 1 + n))
        carer_patient = PatientFactory(registered_practice=area.practice_a) if n % 2 == 0 else None
        CarerFactory(patient=patient, carer_patient=carer_patient, carer_name="" if carer_patient else "Jo")


@pytest.mark.parametrize(
    "name",
    ["patients:detail", "patients:timeline", "patients:carers_register", "api-conditions", "api-events"],
)
def test_the_same_queries_for_one_row_and_many(client, gp, area, name) -> None:
    one, many = (PatientFactory(registered_practice=area.practice_a) for _ in range(2))
    _fill(one, 1, area)
    _fill(many, 12, area)
    client.force_login(gp)
    api = APIClient()
    api.force_authenticate(gp)

    def fetch(patient) -> Callable[[], object]:
        if name == "patients:carers_register":
            return lambda: client.get(reverse(name, args=[area.practice_a.ods_code]))
        if name.startswith("api-"):
            route = {"api-conditions": "api-patient-conditions", "api-events": "api-patient-events"}[name]
            return lambda: api.get(reverse(route, args=[patient.public_id]))
        return lambda: client.get(reverse(name, args=[patient.public_id]))

    fetch(one)()  # warm per-process caches
    if name == "patients:carers_register":
        # The register of the practice grows with every carer added: count before and after more arrive.
        before = _queries(fetch(one))
        _fill(PatientFactory(registered_practice=area.practice_a), 12, area)
        assert _queries(fetch(one)) == before
    else:
        assert _queries(fetch(one)) == _queries(fetch(many))


def test_the_duplicates_page_costs_the_same_for_one_pair_and_many(client, admin, area) -> None:
    def pair(n: int) -> None:
        born = datetime.date(1940, 1, 1 + n)
        for _ in range(2):
            PatientFactory(
                registered_practice=area.practice_a, family_name=f"Twin{n}", given_name="Al", date_of_birth=born
            )

    pair(0)
    client.force_login(admin)
    client.get(reverse("patients:duplicates"))
    one = _queries(lambda: client.get(reverse("patients:duplicates")))
    for n in range(1, 10):
        pair(n)
    many_response = client.get(reverse("patients:duplicates"))
    assert many_response.content.decode().lower().count("twin") >= 10
    assert _queries(lambda: client.get(reverse("patients:duplicates"))) == one
