"""The audit trail: written from services, append-only, including denials; fails closed."""

from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from caremodel.audit import AuditUnavailable, audit_record
from caremodel.models import AuditAction, AuditEvent, AuditOutcome

pytestmark = pytest.mark.django_db


def test_viewing_a_record_is_audited_with_who_what_and_relationship(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.get(reverse("patients:detail", args=[p1.public_id]), REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    event = AuditEvent.objects.get(patient_id=p1.pk)
    assert (event.user_id, event.username, event.role) == (gp.pk, "gp.a", "gp")
    assert event.organisation_id == gp.organisation_id
    assert (event.action, event.outcome) == (AuditAction.VIEW, AuditOutcome.ALLOWED)
    assert event.relationship == "registered_practice"
    assert event.client_ip == "10.1.2.3"
    assert event.source == "web"
    assert event.occurred_at.utcoffset().total_seconds() == 0


def test_denied_view_is_audited(client, gp, p2) -> None:
    client.force_login(gp)
    response = client.get(reverse("patients:detail", args=[p2.public_id]))
    assert response.status_code == 404
    event = AuditEvent.objects.get(patient_id=p2.pk)
    assert event.outcome == AuditOutcome.DENIED
    assert event.detail["reason"] == "no care relationship"


def test_api_lookup_is_audited_with_source_api(client, gp, p1) -> None:
    client.force_login(gp)
    response = client.post(
        reverse("api-patient-lookup"), {"nhs_number": p1.nhs_number}, content_type="application/json"
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get(patient_id=p1.pk)
    assert (event.action, event.source) == (AuditAction.LOOKUP, "api")


def test_audit_rows_cannot_be_updated_or_deleted_by_the_application(gp) -> None:
    event = audit_record(user=gp, action=AuditAction.VIEW, outcome=AuditOutcome.ALLOWED, patient_id=1)
    event.outcome = AuditOutcome.DENIED
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(outcome=AuditOutcome.DENIED)
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).outcome == AuditOutcome.ALLOWED


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database trigger is PostgreSQL's")
def test_postgresql_refuses_raw_update_and_delete_of_audit_rows(gp) -> None:
    event = audit_record(user=gp, action=AuditAction.VIEW, outcome=AuditOutcome.ALLOWED, patient_id=1)
    for sql in (
        "UPDATE caremodel_auditevent SET outcome = 'denied' WHERE id = %s",
        "DELETE FROM caremodel_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk, outcome="allowed").exists()


def test_if_the_audit_cannot_be_written_the_record_is_not_shown(client, gp, p1) -> None:
    client.force_login(gp)
    with mock.patch.object(AuditEvent.objects, "create", side_effect=DatabaseError("audit store full")):
        response = client.get(reverse("patients:detail", args=[p1.public_id]))
    assert response.status_code == 503
    assert p1.family_name.encode() not in response.content


def test_audit_failure_in_the_api_is_503_without_data(client, gp, p1) -> None:
    client.force_login(gp)
    with mock.patch.object(AuditEvent.objects, "create", side_effect=DatabaseError("audit store full")):
        response = client.post(
            reverse("api-patient-lookup"), {"nhs_number": p1.nhs_number}, content_type="application/json"
        )
    assert response.status_code == 503
    assert p1.nhs_number not in response.content.decode()


def test_audit_unavailable_is_raised_when_the_write_fails(gp) -> None:
    with (
        mock.patch.object(AuditEvent.objects, "create", side_effect=DatabaseError("x")),
        pytest.raises(AuditUnavailable),
    ):
        audit_record(user=gp, action=AuditAction.VIEW, outcome=AuditOutcome.ALLOWED)


def test_rows_written_for_a_list_carry_the_same_fields_as_a_single_audit_row(gp) -> None:
    """audit_record_many has its own one-statement path on PostgreSQL; it must write what
    audit_record writes, for every patient on the page."""
    from caremodel.audit import audit_record_many
    from caremodel.request_context import request_context

    with request_context(source="api", client_ip="10.9.8.7"):
        single = audit_record(
            user=gp, action=AuditAction.LIST, outcome=AuditOutcome.ALLOWED, patient_id=1, detail={"filters": ["q"]}
        )
        written = audit_record_many(user=gp, action=AuditAction.LIST, patient_ids=[2, 3], detail={"filters": ["q"]})
    assert written == 2
    fields = ("user_id", "username", "role", "organisation_id", "action", "outcome", "relationship", "resource")
    fields += ("source", "client_ip", "detail")
    expected = tuple(getattr(single, name) for name in fields)
    rows = AuditEvent.objects.filter(patient_id__in=[2, 3]).order_by("patient_id")
    assert [(row.patient_id, *(getattr(row, name) for name in fields)) for row in rows] == [
        (2, *expected),
        (3, *expected),
    ]
    assert all(row.occurred_at >= single.occurred_at for row in rows)
    assert audit_record_many(user=gp, action=AuditAction.LIST, patient_ids=[]) == 0


def test_a_refused_write_is_audited_and_the_entry_is_kept(gp, p2) -> None:
    """The care relationship is checked before a write's transaction opens, so the refusal's audit
    entry is not rolled back with the write it stopped."""
    from caremodel.access import PatientNotVisible
    from patients.services.carers import carer_add
    from patients.services.patient import patient_update_registers

    with pytest.raises(PatientNotVisible):
        patient_update_registers(
            user=gp, patient=p2, expected_version=p2.version, changes={"lives_alone": True, "housebound": False}
        )
    with pytest.raises(PatientNotVisible):
        carer_add(user=gp, patient=p2, carer_name="A Neighbour", relationship="neighbour")
    refusals = AuditEvent.objects.filter(patient_id=p2.pk, outcome=AuditOutcome.DENIED, action=AuditAction.UPDATE)
    assert refusals.count() == 2
    assert {event.detail["reason"] for event in refusals} == {"no care relationship"}
