"""The risk CSV export streams in constant memory whatever its size, and its audit is written in
batches that name every exported patient, each before the rows it covers leave (point 6)."""

import tracemalloc

import pytest
from django.urls import reverse

from caremodel.models import AuditAction, AuditEvent
from stratification.selectors import risk_list as risk_selectors
from stratification.services import risk_list as risk_services
from tests.caremodel.factories import PracticeFactory
from tests.patients.factories import PatientFactory
from tests.stratification.factories import AS_OF, hand_model

pytestmark = pytest.mark.django_db
BATCH = 40


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(risk_services, "EXPORT_AUDIT_BATCH", BATCH)
    monkeypatch.setattr(risk_selectors, "EXPORT_FETCH", BATCH)


def _publish(start_run, **practices: object) -> None:
    hand_model()
    for practice, count in practices.values():  # type: ignore[misc]
        PatientFactory.create_batch(count, registered_practice=practice)
    start_run(as_of=AS_OF)


def _export_peak(client, **filters: object) -> tuple[int, int]:
    """Peak Python memory while a streamed export is consumed (nothing kept), and its line count."""
    tracemalloc.start()
    try:
        response = client.get(reverse("stratification:export"), filters)
        assert response.status_code == 200 and response.streaming
        lines = sum(1 for _ in response.streaming_content)  # exhausting it closes the response
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak, lines


def test_export_memory_does_not_grow_with_the_row_count(
    client, care_coordinator, area, start_run, small_batches
) -> None:
    other_practice = PracticeFactory(cluster=area.cluster_a)
    _publish(start_run, small=(area.practice_a, 120), large=(other_practice, 1_080))
    client.force_login(care_coordinator)
    _export_peak(client, practice=area.practice_a.pk)  # warm caches (templates, SQL compilation)
    small_peak, small_lines = _export_peak(client, practice=area.practice_a.pk)
    large_peak, large_lines = _export_peak(client)
    assert (small_lines, large_lines) == (121, 1_201)
    # Ten times the rows, about the same peak: it is set by the batch, not by the export's length.
    assert large_peak < 2 * small_peak, (large_peak, small_peak)


def test_every_exported_patient_is_audited_in_batches_before_their_rows_leave(
    client, gp, area, start_run, small_batches
) -> None:
    _publish(start_run, practice=(area.practice_a, 2 * BATCH + 5))
    client.force_login(gp)
    response = client.get(reverse("stratification:export"))
    stream = iter(response.streaming_content)
    next(stream)  # the header: nothing exported yet
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()
    next(stream)  # the first row: its whole batch is audited already
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT).count() == BATCH
    lines = 2 + sum(1 for _ in stream)
    assert lines == 1 + 2 * BATCH + 5
    audited = AuditEvent.objects.filter(action=AuditAction.EXPORT)
    assert audited.count() == 2 * BATCH + 5
    assert {row.relationship for row in audited} == {"registered_practice"}
    assert {row.source for row in audited} == {"web"}
