"""Risk pages. Thin: filters are validated by a form, reads go through selectors and services,
and every listed or exported patient is audited."""

import csv
from uuid import UUID

from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caremodel.decorators import patient_data_required, role_required
from caremodel.http import AuthenticatedHttpRequest
from caremodel.models import Role
from stratification.forms import RiskListFilterForm
from stratification.presenters import RiskScorePresenter
from stratification.selectors.risk_list import practices_and_clusters, published_run
from stratification.selectors.runs import active_risk_model, recent_runs
from stratification.services.risk_list import risk_export_stream, risk_list_page, risk_panel_open


def _filters(request: AuthenticatedHttpRequest) -> tuple[RiskListFilterForm, dict[str, object]]:
    form = RiskListFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@patient_data_required
@require_GET
def risk_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    pointer = published_run()
    practices, clusters = practices_and_clusters()
    context: dict[str, object] = {"form": form, "pointer": pointer, "practices": practices, "clusters": clusters}
    if pointer is not None and not form.errors:
        page = risk_list_page(user=request.user, run_id=pointer.run_id, filters=filters)
        has_previous = pointer.previous_run_id is not None
        context.update(
            page=page,
            rows=[RiskScorePresenter(row, has_previous_run=has_previous) for row in page.rows],
            query=request.GET.urlencode(),
        )
    return render(request, "stratification/list.html", context, status=400 if form.errors else 200)


class _Echo:
    def write(self, value: str) -> str:
        return value


@patient_data_required
@require_GET
def risk_export(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The filtered list as CSV, streamed: any size in constant memory, every exported patient audited."""
    form, filters = _filters(request)
    if form.errors:
        messages = "; ".join(f"{field}: {' '.join(map(str, errors))}" for field, errors in form.errors.items())
        return HttpResponse(f"Check the filters: {messages}", status=400, content_type="text/plain; charset=utf-8")
    pointer = published_run()
    run_id = pointer.run_id if pointer else None
    writer = csv.writer(_Echo())
    rows = risk_export_stream(user=request.user, run_id=run_id, filters=filters)
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="risk-list-run-{run_id or 0}.csv"'
    return response


@patient_data_required
@require_GET
def patient_panel(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """The risk panel of the patient record page (fetched with htmx)."""
    patient, score = risk_panel_open(user=request.user, public_id=public_id)
    pointer = published_run()
    shown = RiskScorePresenter(score, has_previous_run=bool(pointer and pointer.previous_run_id)) if score else None
    return render(
        request, "stratification/_patient_panel.html", {"patient": patient, "score": shown, "pointer": pointer}
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def run_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Administrators: recent runs with status, counts and duration, and the active model's calibration."""
    return render(
        request,
        "stratification/runs.html",
        {"runs": recent_runs(), "pointer": published_run(), "model": active_risk_model()},
    )
