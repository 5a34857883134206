"""A feed read in small blocks (on PostgreSQL, each staged by the writer thread) gives exactly the
report and the stored events of the same feed read in one block: a duplicate, an unknown patient,
a bad value or an event before birth is named on its own line whichever block it falls in."""

import datetime

import pytest

from patients.imports import activity, import_activity
from patients.models import ActivityEvent
from tests.patients.factories import PatientFactory, ProviderFactory, nhs_number_for
from tests.patients.import_files import activity_file

pytestmark = pytest.mark.django_db

KNOWN, LATE_BORN, UNKNOWN = nhs_number_for(701), nhs_number_for(702), nhs_number_for(703)


@pytest.fixture
def feed(area) -> bytes:
    ProviderFactory(ods_code="RVV01")
    PatientFactory(nhs_number=KNOWN, registered_practice=area.practice_a, date_of_birth=datetime.date(1940, 1, 1))
    PatientFactory(nhs_number=LATE_BORN, registered_practice=area.practice_a, date_of_birth=datetime.date(2024, 1, 1))
    return activity_file(
        f"{KNOWN},ae_attendance,2024-01-02,RVV01,B1,,",  # 2
        f"{KNOWN},ae_attendance,2024-01-03,RVV01,B2,,",  # 3
        f"{UNKNOWN},ae_attendance,2024-01-02,RVV01,B3,,",  # 4 no such patient
        f"{KNOWN},ae_attendance,2024-01-04,RVV01,B1,,",  # 5 duplicate of line 2, in the next block
        f"{LATE_BORN},ae_attendance,2023-06-01,RVV01,B4,,",  # 6 before birth
        f"{KNOWN},teleport,2024-01-02,RVV01,B5,,",  # 7 bad type
        f"{LATE_BORN},emergency_admission,2024-02-01,,B6,3,",  # 8
        f"{KNOWN},discharge,2024-02-05,RVV01,B7,,care_home",  # 9
        f"{KNOWN},ae_attendance,2024-01-05,RVV01,B2,,",  # 10 duplicate of line 3
        f"{KNOWN},ae_attendance,2024-03-01,rvv01,B8,,",  # 11 lower-case provider code is the same provider
    )


def _stored() -> list[tuple[str, str, str]]:
    return sorted(ActivityEvent.objects.values_list("source_id", "kind", "patient__nhs_number"))


def _outcome(report) -> tuple[object, ...]:
    return (
        [(error.line, error.field, error.reason) for error in report.errors],
        report.rows,
        report.valid_rows,
        report.events_added,
        report.events_already_present,
        report.applied,
    )


def test_small_blocks_agree_with_one_block(feed, admin, monkeypatch) -> None:
    whole = import_activity(data=feed, user=admin)
    stored = _stored()
    assert [(e.line, e.field) for e in whole.errors] == [
        (4, "nhs_number"),
        (5, "source_id"),
        (6, "event_date"),
        (7, "event_type"),
        (10, "source_id"),
    ]
    assert (whole.events_added, len(stored)) == (5, 5)
    ActivityEvent.objects.all().delete()

    monkeypatch.setattr(activity, "BLOCK_ROWS", 3)
    in_blocks = import_activity(data=feed, user=admin)
    assert _outcome(in_blocks) == _outcome(whole)
    assert _stored() == stored
    rerun = import_activity(data=feed, user=admin)
    assert (rerun.events_added, rerun.events_already_present) == (0, 5)
    strict = import_activity(data=feed, user=admin, strict=True)
    assert not strict.applied and [(e.line, e.field) for e in strict.errors] == [
        (e.line, e.field) for e in whole.errors
    ]
    assert _stored() == stored


def test_a_file_that_breaks_after_blocks_were_staged_applies_nothing(feed, admin, monkeypatch) -> None:
    """Blocks already staged (on PostgreSQL, by the writer thread) are rolled back with the rest
    when a later line cannot be read at all."""
    monkeypatch.setattr(activity, "BLOCK_ROWS", 2)
    broken = feed + f'{KNOWN},ae_attendance,2024-04-01,RVV01,"B9\n'.encode()
    report = import_activity(data=broken, user=admin)
    assert not report.applied
    assert [(e.field, e.reason[:13]) for e in report.errors][-1] == ("file", "Malformed CSV")
    assert ActivityEvent.objects.count() == 0
    assert import_activity(data=feed, user=admin).events_added == 5  # the connection is usable afterwards
