"""Record an activity event on the patient's record by hand. Thin: the rules are
patients.rules.events, asked by the form and again by the service, which audits."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from caremodel.decorators import patient_data_required
from caremodel.forms import add_service_errors
from caremodel.http import AuthenticatedHttpRequest
from patients.forms_record import EventForm
from patients.presenters import PatientPresenter
from patients.selectors.events import event_provider_choices
from patients.services.events import event_record_manual
from patients.services.patient import patient_for_write, patient_open, patient_show


@patient_data_required
@require_http_methods(["GET", "POST"])
def add_event(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
    user = request.user
    providers = event_provider_choices()
    if request.method == "POST":
        patient = patient_for_write(user=user, public_id=public_id)
        form = EventForm(request.POST, providers=providers, date_of_birth=patient.date_of_birth)
        if form.is_valid():
            try:
                event_record_manual(user=user, patient=patient, **form.service_arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patients:detail", public_id=patient.public_id)
        patient_show(user=user, patient=patient, resource="event_form")
    else:
        patient = patient_open(user=user, public_id=public_id, resource="event_form")
        form = EventForm(providers=providers, date_of_birth=patient.date_of_birth)
    context = {"patient": PatientPresenter(patient), "form": form}
    return render(request, "patients/add_event.html", context, status=400 if form.errors else 200)
