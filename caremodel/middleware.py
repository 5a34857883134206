"""Request-wide concerns: audit context, absolute session timeout, cache and CSP headers."""

import ipaddress
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
    """The client's address, for the audit trail and for the login lockout (AXES_CLIENT_IP_CALLABLE).

    With no trusted proxy (TRUSTED_PROXY_COUNT=0) it is the peer of the connection, REMOTE_ADDR:
    X-Forwarded-For then holds only what the client chose to write. Behind N trusted proxies it is
    the entry N places from the right of X-Forwarded-For, the one the outermost trusted proxy
    appended; whatever stands to its left came from the client and is never read. If the header
    is shorter than that or the entry is not an address, REMOTE_ADDR is used (docs/adr/0013).
    """
    peer = _address(request.META.get("REMOTE_ADDR", ""))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    entries = [entry.strip() for entry in forwarded.split(",")] if forwarded.strip() else []
    if len(entries) < hops:
        return peer
    return _address(entries[-hops]) or peer


def _address(value: str) -> str | None:
    """An IP address in its canonical form, without an IPv6 zone; None for anything else."""
    try:
        return str(ipaddress.ip_address(value.strip().split("%", 1)[0]))
    except ValueError:
        return None


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
