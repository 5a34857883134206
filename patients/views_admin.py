"""Administrator pages of the patient record: file imports and duplicate review with merge.
Thin: the import services and patients.merge hold the rules and write the audit trail."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from caremodel.decorators import role_required
from caremodel.models import Role
from patients.forms import ImportUploadForm, MergeForm
from patients.imports import import_activity, import_gp_extract
from patients.imports.pending import pending_match_resolve, pending_matches
from patients.merge import patient_duplicate_pairs, patient_merge, patients_for_merge
from patients.models import PendingMatch

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
        messages.success(request, f"Records merged into {result.kept.display_name}. Moved: {moved or 'nothing'}.")
    return redirect("patients:duplicates")


@role_required(Role.ADMINISTRATOR)
@require_GET
def pending_match_list(request: HttpRequest) -> HttpResponse:
    matches = list(pending_matches(user=request.user)[:200])  # type: ignore[arg-type]
    notices = [str(message) for message in messages.get_messages(request)]
    return render(request, "patients/pending_matches.html", {"matches": matches, "notices": notices})


@role_required(Role.ADMINISTRATOR)
@require_POST
def pending_match_decide(request: HttpRequest, match_id: int) -> HttpResponse:
    confirm = request.POST.get("decision") == "confirm"
    try:
        match = pending_matches(user=request.user).get(pk=match_id)  # type: ignore[arg-type]
        patient = match.candidate if confirm else None
        pending_match_resolve(user=request.user, match=match, patient=patient, confirm=confirm)  # type: ignore[arg-type]
    except PendingMatch.DoesNotExist:
        messages.error(request, "That row was already resolved.")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Row applied to the record." if confirm else "Row rejected; nothing was applied.")
    return redirect("patients:pending_matches")
