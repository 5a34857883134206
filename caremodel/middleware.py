"""Request-wide concerns: audit context, absolute session timeout, cache and CSP headers."""

import logging
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from caremodel.request_context import request_context

Handler = Callable[[HttpRequest], HttpResponse]
logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or None


class RequestContextMiddleware:
    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with request_context(source=source, client_ip=client_ip(request)):
            return self.get_response(request)


class AbsoluteSessionTimeoutMiddleware:
    """Idle expiry slides with each request; this caps a session's total life as well."""

    key = "_caremodel_login_at"

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            started = request.session.get(self.key)
            now = time.time()
            if started is None:
                request.session[self.key] = now
            elif now - started > settings.SESSION_ABSOLUTE_SECONDS:
                logout(request)
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(settings.LOGIN_URL)
        return self.get_response(request)


class NoStoreMiddleware:
    """Pages and API answers may hold patient data: never let a browser or proxy keep them."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(f"/{settings.STATIC_URL.strip('/')}/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


class ContentSecurityPolicyMiddleware:
    """A strict CSP: our own scripts and styles, the NHS.UK fonts from their CDN (the
    design system's stylesheet loads Frutiger from assets.nhs.uk), one nonce per response for the NHS.UK
    template's inline js-enabled switch, no framing."""

    policy = (
        "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self' data: https://assets.nhs.uk; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
        "base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        nonce = secrets.token_urlsafe(16)
        request.csp_nonce = nonce  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy.format(nonce=nonce))
        return response


class AccessErrorsMiddleware:
    """Maps access outcomes raised by services to HTTP answers: 404 when no relationship,
    403 for aggregate-only roles, 503 (fail closed) when access or audit cannot be checked."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from django.core.exceptions import PermissionDenied
        from django.db import OperationalError
        from django.http import Http404
        from django.views import defaults

        from caremodel.access import AccessCheckUnavailable, PatientDataForbidden, PatientNotVisible
        from caremodel.audit import AuditUnavailable

        if isinstance(exception, PatientNotVisible):
            return defaults.page_not_found(request, Http404("No patient record you can see."))
        if isinstance(exception, PatientDataForbidden):
            return defaults.permission_denied(request, PermissionDenied("Aggregates only."))
        if isinstance(exception, AccessCheckUnavailable | AuditUnavailable | OperationalError):
            from django.shortcuts import render

            # The class only: database messages can carry parameters (patient identifiers).
            logger.error("patient data unavailable (%s) on %s", type(exception).__name__, request.path)

            return render(request, "503.html", status=503)
        return None
