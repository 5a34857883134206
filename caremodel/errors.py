"""Error pages in the NHS.UK layout; API paths get JSON instead."""

from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

# What Django itself refuses as malformed, by the part of the request at fault.
MALFORMED = {
    DisallowedModelAdminToField: ("_to_field", "The _to_field parameter names a field that cannot be referenced."),
    RequestDataTooBig: ("body", "The request body is over the size limit."),
    TooManyFieldsSent: ("body", "The request has too many parameters."),
    TooManyFilesSent: ("body", "The request has too many files."),
}


def _wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Malformed requests Django refuses itself (too many fields, a body over the size limit)."""
    field, message = next(
        (known for kind, known in MALFORMED.items() if isinstance(exception, kind)),
        ("request", "The request could not be read: it is malformed or too large."),
    )
    if _wants_json(request):
        return JsonResponse({"detail": message, field: [message]}, status=400)
    return render(request, "400.html", {"field": field, "message": message}, status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "You do not have permission to perform this action."}, status=403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if _wants_json(request):
        return JsonResponse({"detail": "Something went wrong. It has been logged."}, status=500)
    return render(request, "500.html", status=500)
