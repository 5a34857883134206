"""View guards for patient-level pages: login first, then the role rule (403 for
aggregate-only roles, audited)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from caremodel.access import patient_access_policy
from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, Role

View = Callable[..., HttpResponse]


def patient_data_required(view: View) -> View:
    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not patient_access_policy.may_see_patient_data(request.user):  # type: ignore[arg-type]
            audit_record(
                user=request.user,  # type: ignore[arg-type]
                action=AuditAction.VIEW,
                outcome=AuditOutcome.DENIED,
                detail={"path": request.path, "reason": "role sees aggregates only"},
            )
            raise PermissionDenied("Your role sees aggregate figures only, not patient records.")
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: Role) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.user.role not in roles and not request.user.is_superuser:  # type: ignore[union-attr]
                raise PermissionDenied("This page is for another role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
