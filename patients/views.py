"""Patient pages. Thin: every read goes through patients.services / patients.selectors."""

from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caremodel.access import PatientNotVisible
from caremodel.decorators import patient_data_required
from caremodel.models import Role
from caremodel.selectors import practice_list_for_user
from patients import selectors, services
from patients.forms import NHSNumberLookupForm, PatientSearchForm
from patients.forms_record import ConditionForm, RegistersForm
from patients.presenters import PatientPresenter, PatientRecordPresenter, list_row, panel_slots
from patients.search import patient_search
from patients.staff import staff_choices


@patient_data_required
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """NHS-number lookup is a POST so the number never appears in a URL or access log."""
    form = NHSNumberLookupForm(request.POST or None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_lookup_by_nhs_number(
                user=request.user,  # type: ignore[arg-type]
                nhs_number=form.cleaned_data["nhs_number"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                for message in messages:
                    form.add_error(field, message)
        except PatientNotVisible:
            not_found = True
        else:
            return redirect("patients:detail", public_id=patient.public_id)
    status = 400 if form.errors else (404 if not_found else 200)
    return render(request, "patients/lookup.html", {"form": form, "not_found": not_found}, status=status)


@patient_data_required
@require_http_methods(["GET", "POST"])
def patient_list(request: HttpRequest) -> HttpResponse:
    """Searches are POSTed (an NHS number must not land in a URL); plain filters also work as GET."""
    data = request.POST if request.method == "POST" else request.GET
    form = PatientSearchForm(data)
    errors: dict[str, list[str]] = {}
    page = None
    if request.method == "GET" and any(ch.isdigit() for ch in data.get("q", "")):
        errors = {"q": ["Search by NHS number with the search form, so that the number stays out of web addresses."]}
    else:
        try:
            page = patient_search(
                user=request.user,  # type: ignore[arg-type]
                filters=form.filters(),
                cursor=data.get("cursor") or None,
            )
        except ValidationError as exc:
            errors = exc.message_dict
    today = timezone.localdate()
    context = {
        "form": form,
        "errors": errors,
        "rows": [list_row(patient, today=today) for patient in page.rows] if page else [],
        "next_cursor": page.next_cursor if page else None,
        "searched": bool(form.filters()),
        "selects": _select_items(form, request),
    }
    return render(request, "patients/list.html", context, status=400 if errors else 200)


def _select_items(form: PatientSearchForm, request: HttpRequest) -> dict[str, list[dict[str, object]]]:
    """Items for the NHS.UK select macro, with the current choice selected."""
    practices = practice_list_for_user(user=request.user)  # type: ignore[arg-type]
    choices = {
        "practice": [("", "Any practice")] + [(p.ods_code, p.name) for p in practices],
        "age_band": form.fields["age_band"].choices,  # type: ignore[attr-defined]
        "condition": form.fields["condition"].choices,  # type: ignore[attr-defined]
        "care_home": form.fields["care_home"].choices,  # type: ignore[attr-defined]
    }
    return {
        name: [{"value": value, "text": label, "selected": value == form.data.get(name, "")} for value, label in items]
        for name, items in choices.items()
    }


@patient_data_required
@require_GET
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    patient = services.patient_open(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    record = PatientRecordPresenter(patient, **selectors.patient_record_parts(patient=patient))
    return render(request, "patients/detail.html", {"patient": record, "panels": panel_slots(patient)})


@patient_data_required
@require_GET
def home_panel(request: HttpRequest) -> HttpResponse:
    count = selectors.patient_visible_count(user=request.user)  # type: ignore[arg-type]
    return render(request, "patients/_home_panel.html", {"visible_count": count, "form": NHSNumberLookupForm()})


@login_required
@require_GET
def population_panel(request: HttpRequest) -> HttpResponse:
    """Registered population by cluster: aggregates with small numbers suppressed."""
    if request.user.role not in (Role.COMMISSIONER, Role.ADMINISTRATOR):  # type: ignore[union-attr]
        raise PermissionDenied
    return render(request, "patients/_population_panel.html", {"rows": selectors.registered_population_by_cluster()})


def add_service_errors(form: forms.Form, exc: ValidationError) -> None:
    """A service's ValidationError names fields; anything not on the form goes to the summary."""
    for field, messages in exc.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)


@patient_data_required
@require_http_methods(["GET", "POST"])
def edit_registers(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Living situation and contacts. The form carries the version the user loaded; if someone
    else changed the record since, the service refuses the write and the user is told to reload."""
    user = request.user
    status = 200
    if request.method == "POST":
        patient = services.patient_for_write(user=user, public_id=public_id)  # type: ignore[arg-type]
        form = RegistersForm(
            request.POST,
            initial=RegistersForm.initial_for(patient),
            staff=staff_choices(patient=patient, keep=(patient.accountable_gp_id, patient.key_worker_id)),
        )
        if form.is_valid():
            changes = form.changes()
            if not changes:
                return redirect("patients:detail", public_id=patient.public_id)
            try:
                services.patient_update_registers(
                    user=user,  # type: ignore[arg-type]
                    patient=patient,
                    expected_version=form.cleaned_data["version"],
                    changes=changes,
                )
            except services.PatientVersionConflict as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patients:detail", public_id=patient.public_id)
        if form.errors and status == 200:
            status = 400
    else:
        patient = services.patient_open(user=user, public_id=public_id)  # type: ignore[arg-type]
        form = RegistersForm(
            initial=RegistersForm.initial_for(patient),
            staff=staff_choices(patient=patient, keep=(patient.accountable_gp_id, patient.key_worker_id)),
        )
    context = {"patient": PatientPresenter(patient), "form": form, "conflict": status == 409}
    return render(request, "patients/edit_registers.html", context, status=status)


@patient_data_required
@require_http_methods(["GET", "POST"])
def add_condition(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user = request.user
    codes = selectors.clinical_code_choices()
    if request.method == "POST":
        patient = services.patient_for_write(user=user, public_id=public_id)  # type: ignore[arg-type]
        form = ConditionForm(request.POST, codes=codes)
        if form.is_valid():
            try:
                services.condition_record(
                    user=user,  # type: ignore[arg-type]
                    patient=patient,
                    code=form.cleaned_data["code"],
                    onset_date=form.cleaned_data["onset_date"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patients:detail", public_id=patient.public_id)
    else:
        patient = services.patient_open(user=user, public_id=public_id)  # type: ignore[arg-type]
        form = ConditionForm(codes=codes)
    context = {"patient": PatientPresenter(patient), "form": form}
    return render(request, "patients/add_condition.html", context, status=400 if form.errors else 200)
