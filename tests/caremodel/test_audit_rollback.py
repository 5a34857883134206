"""RELIABILITY 42 (denials survive a rollback) and 21 (no audit of a change that did not happen),
with real transactions on either database.

The tests run with transactional_db, so nothing wraps them in a transaction of their own, and
what they call committed is read back on another connection (another thread), which sees only
committed rows."""

import datetime
import threading
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.urls import reverse

from caremodel.access import PatientNotVisible
from caremodel.models import AuditAction, AuditEvent, AuditOutcome
from patients.models import CareHomeResidence, Patient
from patients.services.care_homes import care_home_admit, care_home_leave
from patients.services.patient import patient_update_registers
from tests.patients.factories import CareHomeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def committed(model: Any, **filters: Any) -> list[tuple[Any, ...]]:
    """Rows another connection can see, that is rows that were committed."""
    rows: list[tuple[Any, ...]] = []
    failures: list[BaseException] = []

    def read() -> None:
        try:
            if model is AuditEvent:
                rows.extend(AuditEvent.objects.filter(**filters).values_list("patient_id", "action", "outcome"))
            else:
                rows.extend(model.objects.filter(**filters).values_list("pk", "version", "lives_alone"))
        except BaseException as exc:  # reported in the test's own thread
            failures.append(exc)
        finally:
            connections.close_all()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    if failures:
        raise failures[0]
    return rows


def test_refused_writes_are_audited_and_the_entries_are_committed_though_the_writes_are_not(gp, p2) -> None:
    """Each service checks the care relationship before its write's transaction opens: the refusal
    raises out of the write, which leaves nothing behind, but its DENIED entry is already committed.
    (Were the check inside the write's transaction, the refusal would roll its own entry back.)"""
    writes = [
        lambda: patient_update_registers(
            user=gp, patient=p2, expected_version=p2.version, changes={"lives_alone": True, "housebound": True}
        ),
        lambda: care_home_admit(
            user=gp, patient=p2, care_home=CareHomeFactory(), since=datetime.date(2024, 1, 1), nursing=False
        ),
        lambda: care_home_leave(user=gp, patient=p2, until=datetime.date(2024, 2, 1)),
    ]
    for write in writes:
        with pytest.raises(PatientNotVisible):
            write()
        assert not connection.in_atomic_block
    assert committed(AuditEvent, patient_id=p2.pk) == [(p2.pk, AuditAction.UPDATE, AuditOutcome.DENIED)] * 3
    assert committed(Patient, pk=p2.pk) == [(p2.pk, p2.version, p2.lives_alone)]
    assert not CareHomeResidence.objects.filter(patient=p2).exists()


def test_a_refused_write_through_the_page_is_answered_404_and_its_entry_committed(client, gp, p2) -> None:
    client.force_login(gp)
    response = client.post(
        reverse("patients:edit_registers", args=[p2.public_id]), {"version": p2.version, "lives_alone": "yes"}
    )
    assert response.status_code == 404
    assert p2.family_name.encode() not in response.content
    assert committed(AuditEvent, patient_id=p2.pk) == [(p2.pk, AuditAction.UPDATE, AuditOutcome.DENIED)]
    assert committed(Patient, pk=p2.pk) == [(p2.pk, p2.version, p2.lives_alone)]


def test_an_allowed_writes_entry_is_rolled_back_with_the_work_that_failed(gp, p1, p2) -> None:
    """The entry for a change that is written inside a transaction goes with the change when that
    transaction fails: no audit of a change that did not happen."""
    before = (p1.pk, p1.version, p1.lives_alone)
    with pytest.raises(IntegrityError), transaction.atomic():
        patient_update_registers(
            user=gp, patient=p1, expected_version=p1.version, changes={"lives_alone": True, "housebound": True}
        )
        # Written and visible inside the transaction...
        assert AuditEvent.objects.filter(patient_id=p1.pk, outcome=AuditOutcome.ALLOWED).count() == 1
        # ...which then fails on a database constraint (NHS numbers are unique).
        Patient.objects.filter(pk=p2.pk).update(nhs_number=p1.nhs_number)
    assert committed(AuditEvent, patient_id=p1.pk) == []
    assert committed(Patient, pk=p1.pk) == [before]
    # The same write, once nothing fails around it, commits with its entry.
    p1.refresh_from_db()
    patient_update_registers(
        user=gp, patient=p1, expected_version=before[1], changes={"lives_alone": True, "housebound": True}
    )
    assert committed(AuditEvent, patient_id=p1.pk) == [(p1.pk, AuditAction.UPDATE, AuditOutcome.ALLOWED)]
    assert committed(Patient, pk=p1.pk) == [(p1.pk, before[1] + 1, True)]
