"""Use cases of the risk pages that show patient data: each checks access and writes the audit trail."""

from collections.abc import Iterator
from itertools import islice
from typing import Any
from uuid import UUID

from caremodel.access import patient_access_policy
from caremodel.audit import audit_record_many
from caremodel.models import AuditAction, User
from caremodel.request_context import current_context, request_context
from patients.models import Patient
from patients.services.patient import patient_open
from stratification.models import RiskScore
from stratification.presenters import risk_export_cells, risk_export_header
from stratification.selectors.risk_list import RiskListPage, published_run, risk_export_rows, risk_list

EXPORT_AUDIT_BATCH = 1_000


def _audit_rows(*, user: User, rows: list[RiskScore], export: bool) -> int:
    """One audit row per patient that appeared, with the care relationship that let the user see them."""
    ids = [row.patient_id for row in rows]
    if not ids:
        return 0
    return audit_record_many(
        user=user,
        action=AuditAction.EXPORT if export else AuditAction.LIST,
        patient_ids=ids,
        relationships=patient_access_policy.relationships_for(user=user, model=Patient, patient_ids=ids),
        resource="risk_list",
        detail={"run": rows[0].run_id},
    )


def risk_list_page(*, user: User, run_id: int, filters: dict[str, Any]) -> RiskListPage:
    """A page of the published risk list; every patient on it is audited."""
    page = risk_list(user=user, run_id=run_id, filters=filters)
    _audit_rows(user=user, rows=page.rows, export=False)
    return page


def risk_export_stream(*, user: User, run_id: int | None, filters: dict[str, Any]) -> Iterator[list[str]]:
    """The CSV export as rows of cells, header first, streamed in constant memory. Each batch of rows is
    audited (EXPORT, naming every patient) before it is handed on, so nothing leaves unaudited; if the
    audit cannot be written the export stops there. The request's audit context (source, client address)
    is carried into the stream, which runs after the view has returned."""
    context = current_context()
    has_previous = False
    if run_id is not None:
        pointer = published_run()
        has_previous = pointer is not None and pointer.previous_run_id is not None

    def rows() -> Iterator[list[str]]:
        yield risk_export_header()
        if run_id is None:
            return
        scores = risk_export_rows(user=user, run_id=run_id, filters=filters)
        while batch := list(islice(scores, EXPORT_AUDIT_BATCH)):
            with request_context(source=context.source, client_ip=context.client_ip):
                _audit_rows(user=user, rows=batch, export=True)
            for score in batch:
                yield risk_export_cells(score, has_previous_run=has_previous)

    return rows()


def risk_panel_open(*, user: User, public_id: UUID) -> tuple[Patient, RiskScore | None]:
    """The patient's score in the published run, for the record page's risk panel (opened and audited
    through the one door every app uses)."""
    patient = patient_open(user=user, public_id=public_id, resource="risk_panel")
    pointer = published_run()
    score = RiskScore.objects.filter(run_id=pointer.run_id, patient_id=patient.pk).first() if pointer else None
    return patient, score
