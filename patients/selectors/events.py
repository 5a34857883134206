"""Activity events of a patient, newest first, a page at a time."""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from caremodel.models import Organisation
from patients.models import ActivityEvent, Patient
from patients.rules.events import PROVIDER_KINDS

TIMELINE_PAGE = 50


@dataclass(frozen=True)
class EventPage:
    rows: list[ActivityEvent]
    next_cursor: str | None


def _encode(event: ActivityEvent) -> str:
    raw = json.dumps([event.event_date.isoformat(), event.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[date, int]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        day, pk = json.loads(raw)
        if not (isinstance(day, str) and isinstance(pk, int) and 0 < pk < 2**63):
            raise ValueError
        return date.fromisoformat(day), pk
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError({"cursor": "The page cursor is not valid; start from the newest events."}) from exc


def events_page(*, patient: Patient, cursor: str | None = None, page_size: int = TIMELINE_PAGE) -> EventPage:
    """One page of the timeline, newest first, by keyset on (event date, id): never silently cut, and the
    cost of a page does not grow with the length of the record. The caller has opened (and audited) it."""
    events = ActivityEvent.objects.filter(patient=patient)
    if cursor:
        day, pk = _decode(cursor)
        events = events.filter(Q(event_date__lt=day) | Q(event_date=day, pk__lt=pk))
    rows = list(events.select_related("provider").order_by("-event_date", "-id")[: page_size + 1])
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    return EventPage(rows=rows, next_cursor=_encode(rows[-1]) if has_next else None)


def event_rows(*, patient: Patient) -> QuerySet[ActivityEvent]:
    """The patient's events with their providers, for a paginated list; the caller has opened the record."""
    return ActivityEvent.objects.filter(patient=patient).select_related("provider")


def event_provider_choices() -> list[Organisation]:
    """Organisations an event on the record can be attributed to (hospitals, community and care providers)."""
    return list(Organisation.objects.filter(kind__in=PROVIDER_KINDS, active=True).order_by("name"))
