"""OpenAPI post-processing: every operation declares the error answers the whole API gives.

The answers are uniform (DRF error bodies from caremodel.api_errors), so they are declared once
here rather than on every view: 403 (not allowed, or a role that sees aggregates only),
404 (no such record you have a care relationship with), 400 (invalid input, naming the field),
and for writes 409 (in conflict with what is stored), 413 (body too large) and 415 (not JSON /
not multipart as declared); 422 where an Idempotency-Key may be sent (the key reused with another body).
"""

from typing import Any

ERROR_BODY = {
    "type": "object",
    "description": "Field names map to lists of messages; `detail` carries a general message.",
    "additionalProperties": True,
}
COMMON = {
    "400": "Invalid input: the body names each field and the rule it breaks.",
    "403": "Not allowed: not logged in, or your role or relationship does not permit it.",
    "404": "No such record that you have a care relationship with.",
}
WRITES = {
    "409": "In conflict with what is stored: a stale version, or a source id used for another record.",
    "413": "The request body is too large.",
    "415": "The body is not in a media type this operation accepts.",
}
WRITE_METHODS = frozenset({"post", "put", "patch"})


def _response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_BODY}}}


def add_standard_error_responses(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    for methods in result.get("paths", {}).values():
        for method, operation in methods.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            errors = {**COMMON, **(WRITES if method in WRITE_METHODS else {})}
            if any(p.get("name") == "Idempotency-Key" for p in operation.get("parameters", [])):
                errors["422"] = "The Idempotency-Key was already used with a different request body."
            for status_code, description in errors.items():
                operation["responses"].setdefault(status_code, _response(description))
    return result
