"""Administrator pages of the patient record: file imports and duplicate review with merge.
Thin: the import services and patients.merge hold the rules and write the audit trail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caremodel.decorators import role_required
from caremodel.models import Role, User
from patients.forms import ImportUploadForm, MergeForm
from patients.imports import import_activity, import_gp_extract
from patients.imports.pending import pending_match_resolve, pending_matches
from patients.merge import patient_duplicate_pairs, patient_merge, patients_for_merge
from patients.models import Patient, PendingMatch
from patients.pending_candidates import pending_match_candidates
from patients.presenters import PatientPresenter

IMPORTERS = {"gp_extract": import_gp_extract, "activity": import_activity}


@role_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        importer = IMPORTERS[form.cleaned_data["kind"]]
        report = importer(data=form.cleaned_data["file"].read(), user=request.user, strict=form.cleaned_data["strict"])
    status = 400 if form.errors else 200
    return render(request, "patients/import_upload.html", {"form": form, "report": report}, status=status)


@role_required(Role.ADMINISTRATOR)
@require_GET
def duplicates(request: HttpRequest) -> HttpResponse:
    pairs = patient_duplicate_pairs(user=request.user)  # type: ignore[arg-type]
    notices = [str(message) for message in messages.get_messages(request)]
    return render(request, "patients/duplicates.html", {"pairs": pairs, "notices": notices})


@role_required(Role.ADMINISTRATOR)
@require_POST
def merge(request: HttpRequest) -> HttpResponse:
    form = MergeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose which record to keep and which to merge into it.")
        return redirect("patients:duplicates")
    try:
        keep, remove = patients_for_merge(
            user=request.user,  # type: ignore[arg-type]
            keep_id=form.cleaned_data["keep"],
            remove_id=form.cleaned_data["remove"],
        )
        result = patient_merge(user=request.user, keep=keep, remove=remove)  # type: ignore[arg-type]
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
def pending_match_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    matches = list(pending_matches(user=user)[:200])
    candidates = pending_match_candidates(user=user, matches=matches)
    rows = [{"match": match, "choices": _choices(match, candidates[match.pk])} for match in matches]
    notices = [str(message) for message in messages.get_messages(request)]
    return render(request, "patients/pending_matches.html", {"rows": rows, "notices": notices})


@role_required(Role.ADMINISTRATOR)
@require_POST
def pending_match_decide(request: HttpRequest, match_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    confirm = request.POST.get("decision") == "confirm"
    chosen = request.POST.get("patient", "")
    try:
        match = pending_matches(user=user).get(pk=match_id)
        patient = None
        if confirm:
            # Only a record offered for this row can be chosen; without a choice, the suggested one.
            offered = pending_match_candidates(user=user, matches=[match])[match.pk]
            patient = next((p for p in offered if str(p.public_id) == chosen), None) if chosen else match.candidate
            if patient is None:
                raise ValidationError({"patient": "Choose the record this row belongs to from the list."})
        pending_match_resolve(user=user, match=match, patient=patient, confirm=confirm)
    except PendingMatch.DoesNotExist:
        messages.error(request, "That row was already resolved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Row applied to the record." if confirm else "Row rejected; nothing was applied.")
    return redirect("patients:pending_matches")
