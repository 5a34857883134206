"""API error answers: clear 4xx bodies naming the field and rule; access failures fail closed."""

import logging
from typing import Any

from django.db import OperationalError
from rest_framework import status
from rest_framework.exceptions import ParseError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from caremodel.access import AccessCheckUnavailable
from caremodel.audit import AuditUnavailable

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, AccessCheckUnavailable | AuditUnavailable | OperationalError):
        # Fail closed, in JSON (the page middleware would answer with an HTML page); the class
        # only is logged, as database messages can carry parameters (patient identifiers).
        logger.error("patient data unavailable (%s) on %s", type(exc).__name__, context["request"].path)
        return Response(
            {"detail": "Access to patient data is unavailable right now. Try again shortly."},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    response = drf_exception_handler(exc, context)
    if isinstance(exc, ParseError) and response is not None and set(response.data) == {"detail"}:
        # A body that cannot be parsed names the body as the part at fault, as the request guard does.
        response.data["body"] = [response.data["detail"]]
    return response
