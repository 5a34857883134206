"""Patient pages. Thin: every read goes through patients.services / patients.selectors."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from caremodel.access import PatientNotVisible
from caremodel.decorators import patient_data_required
from caremodel.models import Role
from patients import selectors, services
from patients.forms import NHSNumberLookupForm
from patients.presenters import PatientPresenter


@patient_data_required
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """NHS-number lookup is a POST so the number never appears in a URL or access log."""
    form = NHSNumberLookupForm(request.POST or None)
    not_found = False
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_lookup_by_nhs_number(
                user=request.user, nhs_number=form.cleaned_data["nhs_number"]
            )  # type: ignore[arg-type]
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
@require_GET
def detail(request: HttpRequest, public_id: UUID) -> HttpResponse:
    patient = services.patient_open(user=request.user, public_id=public_id)  # type: ignore[arg-type]
    return render(request, "patients/detail.html", {"patient": PatientPresenter(patient)})


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
