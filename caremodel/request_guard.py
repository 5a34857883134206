"""Values no database should be given are refused at the door, for every page and endpoint at once.

PostgreSQL text cannot hold NUL, and a lone UTF-16 surrogate ("\\ud800") cannot be encoded to
UTF-8 for any database driver: either one, reaching a query, is a 500. So is a whole number
past BIGINT, which no column or id can hold (Django's admin passes its filter and initial
values to the database unchecked). Rather than hope every form, filter and serializer
remembers, this middleware answers 400, naming the parameter, when the path, a query or form
parameter (its name or its value) or a header carries one. JSON bodies are checked by
caremodel.api_parsers.SafeJSONParser and bounded by the serializers; the API reads its own bodies.
"""

import re
from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse, JsonResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

Handler = Callable[[HttpRequest], HttpResponse]

NUL_RULE = "must not contain NUL (\\u0000) characters"
SURROGATE_RULE = "must not contain unpaired surrogate characters (such as \\ud800); send UTF-8 text"
RANGE_RULE = "must be a whole number from -9223372036854775808 to 9223372036854775807"
_WHOLE_NUMBER = re.compile(r"\s*[+-]?[0-9]+\s*")
_BIGINT = range(-(2**63), 2**63)


def text_fault(value: str) -> str | None:
    """The rule `value` breaks, or None. Shared with the JSON parser and the CSV readers."""
    if "\x00" in value:
        return NUL_RULE
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return SURROGATE_RULE
    return None


def number_fault(value: str) -> str | None:
    """The rule a whole number out of BIGINT's range breaks, or None (text is not judged here)."""
    if len(value) < 19 or not _WHOLE_NUMBER.fullmatch(value):
        return None
    try:
        return None if int(value) in _BIGINT else RANGE_RULE
    except ValueError:  # more digits than Python will convert
        return RANGE_RULE


def printable(name: str, limit: int = 40) -> str:
    """A parameter name safe to show in a message: escapes, not the raw characters, and short."""
    shown = name.encode("utf-8", "backslashreplace").decode("utf-8")
    shown = shown.replace("\x00", "\\x00")
    return shown if len(shown) <= limit else shown[:limit] + "…"


def _pairs_fault(pairs: Iterable[tuple[str, list[str]]], where: str) -> tuple[str, str] | None:
    for name, values in pairs:
        rule = text_fault(name)
        if rule:
            return printable(name), f"A {where} name {rule}."
        for value in values:
            rule = text_fault(value) or number_fault(value)
            if rule:
                return printable(name), f"The {where} {printable(name)!r} {rule}."
    return None


def request_fault(request: HttpRequest) -> tuple[str, str] | None:
    """(field, message) for the first fault found in the request's path, parameters or headers."""
    rule = text_fault(request.path_info)
    if rule:
        return "path", f"The web address {rule}."
    fault = _pairs_fault(request.GET.lists(), "query parameter")
    if fault:
        return fault
    for key, value in request.META.items():
        if key.startswith("HTTP_") and isinstance(value, str) and text_fault(value):
            header = key[5:].replace("_", "-").title()
            return header, f"The header {header} {text_fault(value)}."
    if request.method == "POST" and not _is_api(request):
        # The API's bodies are read by its own parsers (SafeJSONParser checks JSON the same way).
        return _pairs_fault(request.POST.lists(), "form field")
    return None


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def bad_request(request: HttpRequest, field: str, message: str) -> HttpResponse:
    """400 naming the field: JSON for the API, the NHS.UK error page otherwise."""
    if _is_api(request):
        return JsonResponse({field: [message]}, status=400)
    return render(request, "400.html", {"field": field, "message": message}, status=400)


class RequestGuardMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            fault = request_fault(request)
        except (MultiPartParserError, UnreadablePostError):
            fault = ("body", "The form data could not be read; send it as multipart/form-data or URL-encoded.")
        if fault:
            return bad_request(request, *fault)
        return self.get_response(request)
