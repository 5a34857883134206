"""Who is asking, from where: set per request (or per command/task) for the audit trail."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    source: str = "web"
    client_ip: str | None = None


_UNKNOWN = RequestContext(source="unknown")
_current: ContextVar[RequestContext | None] = ContextVar("caremodel_request_context", default=None)


def current_context() -> RequestContext:
    return _current.get() or _UNKNOWN


@contextmanager
def request_context(*, source: str, client_ip: str | None = None) -> Iterator[RequestContext]:
    """Use in management commands and Celery tasks so their audit rows say where they came from."""
    token = _current.set(RequestContext(source=source, client_ip=client_ip))
    try:
        yield current_context()
    finally:
        _current.reset(token)
