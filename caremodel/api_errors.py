"""API error answers: clear 4xx bodies naming the field and rule; access failures fail closed."""

from typing import Any

from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from caremodel.access import AccessCheckUnavailable
from caremodel.audit import AuditUnavailable


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, AccessCheckUnavailable | AuditUnavailable):
        return Response(
            {"detail": "Access to patient data is unavailable right now. Try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return drf_exception_handler(exc, context)
