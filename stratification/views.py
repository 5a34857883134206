"""Risk pages. Thin: filters are validated by a form, reads go through selectors and services,
and every listed or exported patient is audited."""

import csv
from collections.abc import Iterator
from uuid import UUID

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from caremodel.decorators import patient_data_required, role_required
from caremodel.models import Role
from stratification import selectors, services
from stratification.forms import RiskListFilterForm
from stratification.presenters import RiskScorePresenter


def _filters(request: HttpRequest) -> tuple[RiskListFilterForm, dict[str, object]]:
    form = RiskListFilterForm(request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


@patient_data_required
@require_GET
def risk_list(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    pointer = selectors.published_run()
    practices, clusters = selectors.practices_and_clusters()
    context: dict[str, object] = {"form": form, "pointer": pointer, "practices": practices, "clusters": clusters}
    if pointer is not None and not form.errors:
        page = selectors.risk_list(user=request.user, run_id=pointer.run_id, filters=filters)  # type: ignore[arg-type]
        services.risk_list_audit(user=request.user, rows=page.rows)  # type: ignore[arg-type]
        has_previous = pointer.previous_run_id is not None
        context.update(
            page=page,
            rows=[RiskScorePresenter(row, has_previous_run=has_previous) for row in page.rows],
            query=request.GET.urlencode(),
        )
    return render(request, "stratification/list.html", context, status=400 if form.errors else 200)


def _csv_safe(value: object) -> str:
    """Spreadsheets run cells that start with = + - @; prefix them so they stay text."""
    text = str(value)
    return f"'{text}" if text[:1] in ("=", "+", "-", "@") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@patient_data_required
@require_GET
def risk_export(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    pointer = selectors.published_run()
    if form.errors:
        messages = "; ".join(f"{field}: {' '.join(errors)}" for field, errors in form.errors.items())
        return HttpResponse(f"Check the filters: {messages}", status=400, content_type="text/plain; charset=utf-8")
    rows = []
    if pointer is not None:
        rows = selectors.risk_list(user=request.user, run_id=pointer.run_id, filters=filters, paginate=False).rows  # type: ignore[arg-type]
        services.risk_list_audit(user=request.user, rows=rows, export=True)  # type: ignore[arg-type]
    has_previous = pointer is not None and pointer.previous_run_id is not None
    writer = csv.writer(_Echo())
    header = [
        "NHS number",
        "Family name",
        "Given name",
        "Date of birth",
        "Age",
        "Practice",
        "Rank",
        "Band",
        "Risk of emergency admission",
        "eFI",
        "Frailty",
        "Changes",
        "Reasons",
    ]

    def lines() -> Iterator[str]:
        yield writer.writerow(header)
        for row in rows:
            shown = RiskScorePresenter(row, has_previous_run=has_previous)
            patient = row.patient
            practice = patient.registered_practice
            yield writer.writerow(
                [
                    _csv_safe(v)
                    for v in (
                        patient.nhs_number,
                        patient.family_name,
                        patient.given_name,
                        patient.date_of_birth.isoformat(),
                        row.age,
                        practice.ods_code if practice else "",
                        row.rank,
                        shown.band_label,
                        f"{row.score:.4f}",
                        f"{row.efi_score:.3f}",
                        shown.frailty_label,
                        "; ".join(shown.markers),
                        "; ".join(shown.reasons),
                    )
                ]
            )

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="risk-list-run-{pointer.run_id if pointer else 0}.csv"'
    return response


@patient_data_required
@require_GET
def patient_panel(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The risk panel of the patient record page (fetched with htmx)."""
    patient, score = services.risk_panel_open(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    pointer = selectors.published_run()
    shown = RiskScorePresenter(score, has_previous_run=bool(pointer and pointer.previous_run_id)) if score else None
    return render(
        request, "stratification/_patient_panel.html", {"patient": patient, "score": shown, "pointer": pointer}
    )


@role_required(Role.ADMINISTRATOR)
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    """Administrators: recent runs with status, counts and duration, and the active model's calibration."""
    return render(
        request,
        "stratification/runs.html",
        {"runs": selectors.recent_runs(), "pointer": selectors.published_run(), "model": selectors.active_risk_model()},
    )
