"""The Jinja2 environment: our templates first, then the NHS.UK frontend macros."""

from typing import Any

from django.conf import settings
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from jinja2 import ChainableUndefined, ChoiceLoader, Environment, FileSystemLoader, PackageLoader

from caremodel.navigation import navigation_for


def _local_datetime(value: Any, fmt: str = "%-d %B %Y %H:%M") -> str:
    """Times are stored in UTC and shown in Europe/London."""
    if value is None:
        return ""
    return timezone.localtime(value).strftime(fmt)


def _date(value: Any, fmt: str = "%-d %B %Y") -> str:
    return "" if value is None else value.strftime(fmt)


def _nhs_number(value: str | None) -> str:
    """NHS numbers are shown 3-3-4, as on every NHS screen."""
    if not value or len(value) != 10:
        return value or ""
    return f"{value[:3]} {value[3:6]} {value[6:]}"


def environment(**options: Any) -> Environment:
    # Django builds a loader over DIRS; the NHS.UK macros are searched after our templates.
    dirs: list[Any] = list(settings.TEMPLATES[0]["DIRS"])  # type: ignore[call-overload]
    project_loader = options.pop("loader", None) or FileSystemLoader([str(d) for d in dirs])
    options.pop("undefined", None)
    options.pop("autoescape", None)
    env = Environment(
        loader=ChoiceLoader([project_loader, PackageLoader("nhsuk_frontend_jinja")]),
        undefined=ChainableUndefined,
        autoescape=True,
        **options,
    )
    env.globals.update(
        {
            "static": static,
            "url": reverse,
            "navigation_for": navigation_for,
            "service_name": settings.SERVICE_NAME,
        }
    )
    env.filters.update({"local_datetime": _local_datetime, "date": _date, "nhs_number": _nhs_number})
    return env
