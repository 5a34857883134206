"""View guards: login first, then the role rule (caremodel.rules). Refusals are audited: a 403
from a role gate says who tried what, as a 404 from the care-relationship check does."""

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from caremodel import rules
from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome, Role, User

View = Callable[..., HttpResponseBase]


def audit_role_refusal(request: HttpRequest, *, reason: str) -> None:
    audit_record(
        user=cast(User, request.user),
        action=AuditAction.VIEW,
        outcome=AuditOutcome.DENIED,
        resource="page",
        detail={"path": request.path, "method": request.method or "", "reason": reason},
    )


def patient_data_required(view: View) -> View:
    """Pages showing patient-level data: never for aggregate-only roles or accounts without a role."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not rules.may_see_patient_data(request.user):
            reason = "role sees aggregates only" if getattr(request.user, "role", "") else "no role given yet"
            audit_role_refusal(request, reason=reason)
            raise PermissionDenied("Your role does not see patient records.")
        return view(request, *args, **kwargs)

    return wrapper


def role_required(*roles: Role) -> Callable[[View], View]:
    """Pages for some roles only; superuser status does not stand in for a role."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not rules.has_role(request.user, *roles):
                audit_role_refusal(request, reason=f"page is for: {', '.join(sorted(roles))}")
                raise PermissionDenied("This page is for another role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def audience_required(audience: Callable[[Any], bool], *, reason: str) -> Callable[[View], View]:
    """Pages for the users a caremodel.rules predicate admits (e.g. sees_population_figures)."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not audience(request.user):
                audit_role_refusal(request, reason=reason)
                raise PermissionDenied("This page is for another role.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
