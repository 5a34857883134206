"""Administrator pages of the patient record: file imports, import rows to match, and duplicate
review with merge. Thin: patients.services (imports, pending_matches, merge) hold the rules and
write the audit trail."""

from collections.abc import Callable
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caremodel.decorators import role_required
from caremodel.forms import add_service_errors
from caremodel.http import AuthenticatedHttpRequest
from caremodel.models import Role
from patients.forms import ImportUploadForm, MergeForm
from patients.models import ImportJob, Patient, PendingMatch
from patients.presenters import PatientPresenter
from patients.services.imports import (
    import_body_fault,
    import_job_progress,
    import_job_start,
    recent_import_jobs,
)
from patients.services.merge import patient_duplicate_pairs, patient_merge, patients_for_merge
from patients.services.pending_matches import pending_match_candidates, pending_match_decide, pending_matches


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Upload a file; a worker imports it and the job page shows the progress, then the report."""
    if request.method == "POST" and (too_large := import_body_fault(content_length=request.META.get("CONTENT_LENGTH"))):
        form = ImportUploadForm(data={})  # the body is not read: only the refusal is shown
        form.is_valid()
        form.errors.clear()
        form.add_error(None, too_large)
        return render(request, "patients/import_upload.html", {"form": form, "jobs": []}, status=413)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = import_job_start(
                user=request.user,
                kind=form.cleaned_data["kind"],
                upload=form.cleaned_data["file"],
                strict=form.cleaned_data["strict"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("patients:import_job", public_id=job.public_id)
    context = {"form": form, "jobs": recent_import_jobs(user=request.user)}
    return render(request, "patients/import_upload.html", context, status=400 if form.errors else 200)


def _job_page(template: str) -> Callable[..., HttpResponseBase]:
    @role_required(Role.ADMINISTRATOR)
    @require_GET
    def view(request: AuthenticatedHttpRequest, public_id: UUID) -> HttpResponse:
        try:
            progress = import_job_progress(user=request.user, public_id=public_id)
        except ImportJob.DoesNotExist as exc:
            raise Http404("No such import.") from exc
        return render(request, template, {"progress": progress})

    return view


import_job = _job_page("patients/import_job.html")
# The progress bar, polled with htmx until the import has finished; then the report.
import_job_progress_panel = _job_page("patients/_import_progress.html")


@role_required(Role.ADMINISTRATOR)
@require_GET
def duplicates(request: AuthenticatedHttpRequest) -> HttpResponse:
    pairs = patient_duplicate_pairs(user=request.user)
    notices = [str(message) for message in messages.get_messages(request)]
    return render(request, "patients/duplicates.html", {"pairs": pairs, "notices": notices})


@role_required(Role.ADMINISTRATOR)
@require_POST
def merge(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which record to keep and which to merge into it.")
        return redirect("patients:duplicates")
    try:
        keep, remove = patients_for_merge(
            user=request.user,
            keep_id=form.cleaned_data["keep"],
            remove_id=form.cleaned_data["remove"],
        )
        result = patient_merge(user=request.user, keep=keep, remove=remove)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        moved = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in result.moved.items() if count)
        filled = ", ".join(name.replace("_", " ") for name in result.filled)
        messages.success(
            request,
            f"Records merged into {result.kept.display_name}. Moved: {moved or 'nothing'}. "
            f"Filled in from the other record: {filled or 'nothing'}.",
        )
    return redirect("patients:duplicates")


def _choices(match: PendingMatch, patients: list[Patient]) -> list[dict[str, object]]:
    """Radio items for the records a row might belong to; the suggested one is marked and checked."""
    return [
        {
            "value": str(patient.public_id),
            "text": PatientPresenter(patient).choice_label
            + (" (suggested)" if match.candidate_id == patient.pk else ""),
            "checked": match.candidate_id == patient.pk,
        }
        for patient in patients
    ]


@role_required(Role.ADMINISTRATOR)
@require_GET
def pending_match_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    matches = list(pending_matches(user=user)[:200])
    candidates = pending_match_candidates(user=user, matches=matches)
    rows = [{"match": match, "choices": _choices(match, candidates[match.pk])} for match in matches]
    notices = [str(message) for message in messages.get_messages(request)]
    return render(request, "patients/pending_matches.html", {"rows": rows, "notices": notices})


@role_required(Role.ADMINISTRATOR)
@require_POST
def pending_match_decision(request: AuthenticatedHttpRequest, match_id: int) -> HttpResponse:
    confirm = request.POST.get("decision") == "confirm"
    try:
        chosen = UUID(request.POST["patient"]) if request.POST.get("patient") else None
    except ValueError:
        chosen = None
        messages.error(request, "Choose the record this row belongs to from the list.")
        return redirect("patients:pending_matches")
    try:
        pending_match_decide(user=request.user, match_id=match_id, confirm=confirm, chosen=chosen)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Row applied to the record." if confirm else "Row rejected; nothing was applied.")
    return redirect("patients:pending_matches")
