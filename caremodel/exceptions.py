"""Domain errors that every app's services raise and every entry point answers the same way:
a conflict (409) and a request that cannot be processed as sent (422). The API maps them in one
place (caremodel.api_support); pages show their message against the form."""

from typing import Any


class ConflictError(Exception):
    """The request clashes with the current state (a stale version, an identifier already used)."""

    def api_body(self) -> dict[str, Any]:
        return {"detail": str(self)}


class UnprocessableError(Exception):
    """The request is well formed but cannot be processed as sent (a reused Idempotency-Key)."""

    def api_body(self) -> dict[str, Any]:
        return {"detail": str(self)}
