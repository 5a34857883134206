"""The patient list and search, the record page and its register forms. Thin: every read and write
goes through patients.services (which check access and audit) and patients.selectors."""

from urllib.parse import urlencode
from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from caremodel import rules
from caremodel.access import PatientNotVisible
from caremodel.decorators import audience_required, patient_data_required
from caremodel.forms import add_service_errors
from caremodel.http import AuthenticatedHttpRequest
from caremodel.saved_searches import search_load, search_save
from caremodel.selectors import practice_list_for_user
from patients.forms import NHSNumberLookupForm, PatientSearchForm
from patients.forms_record import ConditionForm, RegistersForm
from patients.presenters import PatientPresenter, PatientRecordPresenter, list_row
from patients.selectors.carers import carers_of_patient
from patients.selectors.events import events_page
from patients.selectors.patient import (
    clinical_code_choices,
    patient_care_home_stays,
    patient_conditions,
    patient_visible_count,
    registered_population_by_cluster,
)
from patients.selectors.staff import staff_choices
from patients.services.carers import carer_contacts
from patients.services.conditions import condition_record
from patients.services.patient import (
    PatientVersionConflict,
    patient_for_write,
    patient_lookup_by_nhs_number,
    patient_open,
    patient_show,
    patient_update_registers,
)
from patients.services.search import IDENTIFYING_FILTERS, patient_search, patient_search_check

SEARCH_SCOPE = "patients"
IN_URL_REFUSED = (
    "Search by name, date of birth, postcode or NHS number with the search form, "
    "so that they stay out of web addresses."
)


@patient_data_required
@require_http_methods(["GET", "POST"])
def lookup(request: AuthenticatedHttpRequest) -> HttpResponse:
    """NHS-number lookup is a POST so the number never appears in a URL or access log."""
    form = NHSNumberLookupForm(request.POST or None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        try:
            patient = patient_lookup_by_nhs_number(user=request.user, nhs_number=form.cleaned_data["nhs_number"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        except PatientNotVisible:
            not_found = True
        else:
            return redirect("patients:detail", public_id=patient.public_id)
    status = 400 if form.errors else (404 if not_found else 200)
    return render(request, "patients/lookup.html", {"form": form, "not_found": not_found}, status=status)


@patient_data_required
@require_http_methods(["GET", "POST"])
def patient_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A search is POSTed, kept in the session under a short key, and shown at ?s=<key> (post, redirect,
    get): names, dates of birth, postcodes and NHS numbers never reach a URL. Filters that identify
    nobody (practice, age band, condition, care home) also work as plain GET parameters."""
    errors: dict[str, list[str]] = {}
    key = ""
    if request.method == "POST":
        form = PatientSearchForm(request.POST)
        filters = form.filters()
        try:
            patient_search_check(user=request.user, filters=filters)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            key = search_save(request.session, scope=SEARCH_SCOPE, filters=filters)
            return HttpResponseRedirect(f"{reverse('patients:list')}?{urlencode({'s': key})}", status=303)
    else:
        key = request.GET.get("s", "")
        saved = search_load(request.session, scope=SEARCH_SCOPE, key=key) if key else None
        refused = sorted(name for name in IDENTIFYING_FILTERS if request.GET.get(name))
        if refused:
            errors = {name: [IN_URL_REFUSED] for name in refused}
            filters = {}
        elif key and saved is None:
            errors = {"s": ["That search has expired. Search again."]}
            filters = {}
        else:
            filters = saved if saved is not None else PatientSearchForm(request.GET).filters()
        form = PatientSearchForm(filters)
    page = None
    if not errors:
        try:
            page = patient_search(user=request.user, filters=form.filters(), cursor=request.GET.get("cursor") or None)
        except ValidationError as exc:
            errors = exc.message_dict
    today = timezone.localdate()
    next_url = None
    if page is not None and page.next_cursor:
        carried = {"s": key} if key else dict(form.filters().items())
        next_url = f"{reverse('patients:list')}?{urlencode({**carried, 'cursor': page.next_cursor})}"
    context = {
        "form": form,
        "errors": errors,
        "rows": [list_row(patient, today=today) for patient in page.rows] if page else [],
        "next_url": next_url,
        "searched": bool(form.filters()),
        "selects": _select_items(form, request),
    }
    return render(request, "patients/list.html", context, status=400 if errors else 200)


def _select_items(form: PatientSearchForm, request: AuthenticatedHttpRequest) -> dict[str, list[dict[str, object]]]:
    """Items for the NHS.UK select macro, with the current choice selected."""
    practices = practice_list_for_user(user=request.user)
    choices = {
        "practice": [("", "Any practice")] + [(p.ods_code, p.name) for p in practices],
        **{name: form.choices_of(name) for name in ("age_band", "condition", "care_home")},
    }
    return {
        name: [{"value": value, "text": label, "selected": value == form.data.get(name, "")} for value, label in items]
        for name, items in choices.items()
    }


@patient_data_required
@require_GET
def detail(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    from caremodel.registry import registry

    patient = patient_open(user=request.user, public_id=public_id)
    timeline = events_page(patient=patient, page_size=TIMELINE_ON_RECORD)
    record = PatientRecordPresenter(
        patient,
        conditions=patient_conditions(patient=patient),
        care_home_stays=patient_care_home_stays(patient=patient),
        carers=carer_contacts(user=request.user, rows=carers_of_patient(patient=patient)),
        events=timeline.rows,
    )
    context = {
        "patient": record,
        "more_events": timeline.next_cursor is not None,
        "panels": registry.record_panels_for(patient.public_id),
    }
    return render(request, "patients/detail.html", context)


TIMELINE_ON_RECORD = 20


@patient_data_required
@require_GET
def timeline(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """The whole activity timeline, newest first, a page at a time (the record shows the newest only)."""
    patient = patient_open(user=request.user, public_id=public_id, resource="timeline")
    try:
        page = events_page(patient=patient, cursor=request.GET.get("cursor") or None)
    except ValidationError as exc:
        context = {"patient": PatientPresenter(patient), "rows": [], "errors": exc.message_dict, "next_url": None}
        return render(request, "patients/timeline.html", context, status=400)
    next_url = None
    if page.next_cursor:
        next_url = f"{reverse('patients:timeline', args=[patient.public_id])}?{urlencode({'cursor': page.next_cursor})}"
    context = {"patient": PatientPresenter(patient), "rows": page.rows, "errors": {}, "next_url": next_url}
    return render(request, "patients/timeline.html", context)


@patient_data_required
@require_GET
def home_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = patient_visible_count(user=request.user)
    return render(request, "patients/_home_panel.html", {"visible_count": count, "form": NHSNumberLookupForm()})


@audience_required(rules.sees_population_figures, reason="population figures are for commissioners")
@require_GET
def population_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Registered population by cluster: aggregates with small numbers suppressed."""
    return render(request, "patients/_population_panel.html", {"rows": registered_population_by_cluster()})


@patient_data_required
@require_http_methods(["GET", "POST"])
def edit_registers(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """Living situation and contacts. The form carries the version the user loaded; if someone
    else changed the record since, the service refuses the write and the user is told to reload."""
    user = request.user
    status = 200
    if request.method == "POST":
        patient = patient_for_write(user=user, public_id=public_id)
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
                patient_update_registers(
                    user=user, patient=patient, expected_version=form.cleaned_data["version"], changes=changes
                )
            except PatientVersionConflict as exc:
                form.add_error(None, str(exc))
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patients:detail", public_id=patient.public_id)
        if form.errors and status == 200:
            status = 400
        patient_show(user=user, patient=patient, resource="registers_form")
    else:
        patient = patient_open(user=user, public_id=public_id, resource="registers_form")
        form = RegistersForm(
            initial=RegistersForm.initial_for(patient),
            staff=staff_choices(patient=patient, keep=(patient.accountable_gp_id, patient.key_worker_id)),
        )
    context = {"patient": PatientPresenter(patient), "form": form, "conflict": status == 409}
    return render(request, "patients/edit_registers.html", context, status=status)


@patient_data_required
@require_http_methods(["GET", "POST"])
def add_condition(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    user = request.user
    codes = clinical_code_choices()
    if request.method == "POST":
        patient = patient_for_write(user=user, public_id=public_id)
        form = ConditionForm(request.POST, codes=codes)
        if form.is_valid():
            try:
                condition_record(
                    user=user,
                    patient=patient,
                    code=form.cleaned_data["code"],
                    onset_date=form.cleaned_data["onset_date"],
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patients:detail", public_id=patient.public_id)
        patient_show(user=user, patient=patient, resource="condition_form")
    else:
        patient = patient_open(user=user, public_id=public_id, resource="condition_form")
        form = ConditionForm(codes=codes)
    context = {"patient": PatientPresenter(patient), "form": form}
    return render(request, "patients/add_condition.html", context, status=400 if form.errors else 200)
