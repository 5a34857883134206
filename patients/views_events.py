"""Record an activity event on the patient's record by hand. Thin: the rules and the audit live in
patients.events.event_record_manual; the record is opened through the services."""

from uuid import UUID

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from caremodel.decorators import patient_data_required
from caremodel.models import User
from patients import selectors, services
from patients.events import event_record_manual
from patients.forms_record import EventForm
from patients.presenters import PatientPresenter
from patients.views import add_service_errors


@patient_data_required
@require_http_methods(["GET", "POST"])
def add_event(request: HttpRequest, public_id: UUID) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    providers = selectors.event_provider_choices()
    if request.method == "POST":
        patient = services.patient_for_write(user=user, public_id=public_id)
        form = EventForm(request.POST, providers=providers)
        if form.is_valid():
            try:
                event_record_manual(user=user, patient=patient, **form.service_arguments())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("patients:detail", public_id=patient.public_id)
    else:
        patient = services.patient_open(user=user, public_id=public_id)
        form = EventForm(providers=providers)
    context = {"patient": PatientPresenter(patient), "form": form}
    return render(request, "patients/add_event.html", context, status=400 if form.errors else 200)
