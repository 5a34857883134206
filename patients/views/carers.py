"""Carers: add a carer to a record (a patient the user may see, or a named person), and a
practice's carers register. Thin: reads go through the scoped selectors and patient_search."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caremodel.decorators import patient_data_required
from caremodel.forms import add_service_errors
from caremodel.http import AuthenticatedHttpRequest
from caremodel.models import User
from caremodel.selectors import practice_list_for_user
from patients.forms_record import CarerForm
from patients.models import Patient
from patients.presenters import PatientPresenter
from patients.selectors.patient import patient_visible
from patients.services.carers import carer_add, practice_carers_page
from patients.services.patient import PatientVersionConflict, patient_for_write, patient_open, patient_show
from patients.services.search import patient_search

CANDIDATES = 20


def _candidates(*, user: User, patient: Patient, query: str) -> tuple[list[Patient], str]:
    """Patients this user may see matching the search (each row audited by patient_search),
    without the patient being cared for; and an error message for a bad search."""
    if not query.strip():
        return [], ""
    try:
        page = patient_search(user=user, filters={"q": query}, page_size=CANDIDATES)
    except ValidationError as exc:
        return [], " ".join(message for messages in exc.message_dict.values() for message in messages)
    return [row for row in page.rows if row.pk != patient.pk], ""


@patient_data_required
@require_http_methods(["GET", "POST"])
def add_carer(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    """One form, two buttons: "Search" lists the matching patients to choose from (values kept),
    "Add carer" saves. A carer who is a patient is resolved through the access-scoped selector."""
    user = request.user
    if request.method != "POST":
        patient = patient_open(user=user, public_id=public_id, resource="carer_form")
        return _render(request, user, patient, CarerForm(), status=200)
    patient = patient_for_write(user=user, public_id=public_id)
    form = CarerForm(request.POST)
    if request.POST.get("action") == "search" and request.POST.get("carer_kind") == CarerForm.KIND_PATIENT:
        # A search keeps what was typed but judges nothing else yet. (Enter in a box sends the
        # first button, Search: for a carer who is not a patient that saves, as expected.)
        form.show_search_only()
        patient_show(user=user, patient=patient, resource="carer_form")
        return _render(request, user, patient, form, status=200)
    status = 400
    if form.is_valid():
        carer_patient = None
        if form.cleaned_data["carer_kind"] == CarerForm.KIND_PATIENT:
            carer_patient = patient_visible(user=user, public_id=form.cleaned_data["carer_patient"])
            if carer_patient is None:
                form.add_error("carer_patient", "Choose the carer from the search results.")
        if not form.errors:
            try:
                carer_add(user=user, patient=patient, carer_patient=carer_patient, **form.service_arguments())
            except PatientVersionConflict:
                form.add_error(
                    None, "Someone else named a main carer at the same time. Reload the record and try again."
                )
                status = 409
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patients:detail", public_id=patient.public_id)
    patient_show(user=user, patient=patient, resource="carer_form")
    return _render(request, user, patient, form, status=status)


def _render(
    request: AuthenticatedHttpRequest, user: User, patient: Patient, form: CarerForm, *, status: int
) -> HttpResponse:
    """The page, with the patients matching the search (if any) to choose the carer from."""
    query = str(form.data.get("carer_search", "")).strip()
    searching = str(form.data.get("action", "")) == "search" and not form.errors
    candidates, search_error = _candidates(user=user, patient=patient, query=query)
    if searching and not query:
        search_error = "Enter at least one letter of the carer's name, or their NHS number."
    if search_error and (searching or "carer_search" not in form.errors):
        form.add_error("carer_search", search_error)
        status = 400
    chosen = str(form.data.get("carer_patient", ""))
    context = {
        "patient": PatientPresenter(patient),
        "form": form,
        "candidates": [
            {
                "value": str(row.public_id),
                "text": PatientPresenter(row).choice_label,
                "checked": str(row.public_id) == chosen,
            }
            for row in candidates
        ],
        "searched": bool(query),
    }
    return render(request, "patients/add_carer.html", context, status=status)


@patient_data_required
@require_GET
def carers_register(request: AuthenticatedHttpRequest, ods_code: str) -> HttpResponse:
    practice = practice_list_for_user(user=request.user).filter(ods_code=ods_code).first()
    if practice is None:
        raise Http404("No such practice among those your teams cover.")
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    page = practice_carers_page(user=request.user, practice=practice, page=min(number, 100_000))
    return render(request, "patients/carers_register.html", {"practice": practice, "page": page})
