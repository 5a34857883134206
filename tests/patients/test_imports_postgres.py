"""Concurrent imports of the same feed on PostgreSQL: threads, real commits, one copy of each event."""

import threading

import pytest
from django.db import connection, connections

from patients.imports import import_activity
from patients.models import ActivityEvent
from tests.patients.factories import PatientFactory, ProviderFactory, nhs_number_for
from tests.patients.import_files import activity_file

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (COPY path and real concurrent transactions)")


def test_concurrent_imports_of_the_same_file_store_each_event_once(area) -> None:
    ProviderFactory(ods_code="RVV01")
    numbers = [nhs_number_for(n) for n in range(1000, 1040)]
    for number in numbers:
        PatientFactory(nhs_number=number, registered_practice=area.practice_a)
    data = activity_file(
        *(f"{numbers[i % 40]},ae_attendance,2024-02-{1 + i % 28:02d},RVV01,AE{i},," for i in range(2000))
    )
    reports = []
    barrier = threading.Barrier(4)

    def run() -> None:
        try:
            barrier.wait()
            reports.append(import_activity(data=data, user=None))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reports) == 4
    assert ActivityEvent.objects.count() == 2000
    assert sum(report.events_added for report in reports) == 2000
    assert all(report.events_added + report.events_already_present == 2000 for report in reports)


def test_copy_path_matches_the_portable_path(area) -> None:
    ProviderFactory(ods_code="RVV01")
    patient = PatientFactory(nhs_number=nhs_number_for(2000), registered_practice=area.practice_a)
    data = activity_file(
        f'{patient.nhs_number},discharge,2024-01-06,RVV01,"tab\tand \\ slash",,care_home',
        f"{patient.nhs_number},emergency_admission,2024-01-02,,APC1,4,",
    )
    report = import_activity(data=data, user=None)
    assert report.events_added == 2, report.as_dict()
    event = ActivityEvent.objects.get(source_id="tab\tand \\ slash")
    assert (event.discharge_destination, event.provider.ods_code) == ("care_home", "RVV01")
    assert ActivityEvent.objects.get(source_id="APC1").length_of_stay_days == 4
    assert import_activity(data=data, user=None).events_already_present == 2


def test_a_row_stored_by_another_writer_meanwhile_is_skipped_not_an_error(area, monkeypatch) -> None:
    """Imports of one feed take turns, so the anti-join sees what the other stored; should any other
    writer have stored one of the rows anyway, the insert is redone skipping conflicts. Simulated by
    an insert that does not look for stored rows first."""
    from patients.imports import postgres

    ProviderFactory(ods_code="RVV01")
    patient = PatientFactory(nhs_number=nhs_number_for(3000), registered_practice=area.practice_a)
    first = activity_file(f"{patient.nhs_number},ae_attendance,2024-01-02,RVV01,W1,,")
    assert import_activity(data=first, user=None).events_added == 1
    blind = postgres._INSERT.format(events=postgres.EVENTS, patients=postgres.PATIENTS, new_only="")
    monkeypatch.setattr(postgres, "INSERT_NEW", blind)
    both = activity_file(
        f"{patient.nhs_number},ae_attendance,2024-01-02,RVV01,W1,,",
        f"{patient.nhs_number},ae_attendance,2024-01-03,RVV01,W2,,",
    )
    report = import_activity(data=both, user=None)
    assert (report.applied, report.events_added, report.events_already_present) == (True, 1, 1)
    assert sorted(ActivityEvent.objects.values_list("source_id", flat=True)) == ["W1", "W2"]
