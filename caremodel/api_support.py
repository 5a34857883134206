"""Turning service exceptions into API answers, in one place, so every app's endpoints say the same:
400 naming the field, 403, 404, 409 and 422; never a 500 for bad input."""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import status
from rest_framework.exceptions import APIException, NotAuthenticated, NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request

from caremodel.access import PatientDataForbidden, PatientNotVisible
from caremodel.exceptions import ConflictError, UnprocessableError
from caremodel.models import User

NOT_FOUND = "No patient with that identifier that you have a care relationship with."


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class Unprocessable(APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_code = "unprocessable"


def field_errors(exc: DjangoValidationError) -> Any:
    return exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}


@contextmanager
def service_errors() -> Iterator[None]:
    """Map the services' exceptions to 400/403/404/409/422."""
    try:
        yield
    except DjangoValidationError as exc:
        raise DRFValidationError(field_errors(exc)) from exc
    except PatientNotVisible as exc:
        raise NotFound(NOT_FOUND) from exc
    except (PatientDataForbidden, DjangoPermissionDenied) as exc:
        raise PermissionDenied(str(exc) or None) from exc
    except ConflictError as exc:
        raise Conflict(exc.api_body()) from exc
    except UnprocessableError as exc:
        raise Unprocessable(exc.api_body()) from exc


def api_user(request: Request) -> User:
    """The caller of an endpoint behind IsAuthenticated: a member of staff."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def call(fn: Callable[..., Any], **kwargs: Any) -> Any:
    with service_errors():
        return fn(**kwargs)
