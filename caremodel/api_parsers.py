"""JSON intake that answers oversized or pathologically nested bodies, and text no database can
hold (NUL, lone surrogates), with a 4xx naming the field, never a 500."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import JSONParser

from caremodel.request_guard import printable, text_fault


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


class SafeJSONParser(JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None) -> Any:
        request = (parser_context or {}).get("request")
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
        except ValueError:
            length = 0  # Django reads no body for a malformed length, so there is nothing to refuse
        if limit is not None and length > limit:
            raise PayloadTooLarge(f"The request body is {length} bytes; the limit is {limit} bytes.")
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply.") from exc
        fault = _text_fault(data)
        if fault:
            # PostgreSQL text cannot hold NUL and no driver can encode a lone surrogate: refuse
            # them at the door for every field, lookups included, naming the field.
            field, message = fault
            raise ParseError({"detail": f"{field}: {message}", field: [message]})
        return data


def _text_fault(data: Any) -> tuple[str, str] | None:
    """(field, message) for the first string, key or value, that breaks a text rule."""
    pending: list[tuple[str, Any]] = [("non_field_errors", data)]
    while pending:
        field, item = pending.pop()
        if isinstance(item, str):
            rule = text_fault(item)
            if rule:
                return field, f"Text {rule}."
        elif isinstance(item, dict):
            for key, value in item.items():
                rule = text_fault(key)
                if rule:
                    return printable(key), f"A field name {rule}."
                pending.append((key if field == "non_field_errors" else field, value))
        elif isinstance(item, list):
            pending.extend((field, value) for value in item)
    return None
