"""Patient list and search: keyset pagination over folded names, scoped by the access policy.

No COUNT(*) of the whole set: a page fetches one row more than it shows to know whether
there is a next page, so the cost of a page does not grow with the size of the list.
Every row shown is audited (LIST) with the relationship that allowed it, in one bulk insert,
so a page is a fixed number of queries.

The page cursor names only the last row's opaque public id: its place in the name order is read
back from the database (through the user's scope), so no name travels in a URL.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from caremodel.access import patient_access_policy
from caremodel.audit import audit_record, audit_record_many
from caremodel.models import AuditAction, AuditOutcome, User
from patients.filters import PatientFilter
from patients.models import Patient
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number
from patients.search_keys import name_search_key
from patients.selectors.patient import patient_scoped_queryset

# Filters that identify a person: never taken from a URL (POST, or a server-side search key).
IDENTIFYING_FILTERS = frozenset({"q", "nhs_number", "date_of_birth", "postcode"})

PAGE_SIZE = 50
# What a list row, the API list and the cursor need; the rest of the record is read when it is opened.
LIST_FIELDS = (
    "public_id",
    "nhs_number",
    "given_name",
    "family_name",
    "date_of_birth",
    "sex",
    "postcode",
    "date_of_death",
    "version",
    "search_family",
    "search_given",
    "registered_practice",
)
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PatientPage:
    rows: list[Patient]
    next_cursor: str | None
    filters: dict[str, Any] = field(default_factory=dict)


INVALID_CURSOR = "The page cursor is not valid; start from the first page."


def _encode_cursor(patient: Patient) -> str:
    return patient.public_id.hex


def _decode_cursor(cursor: str, scoped: QuerySet[Patient]) -> tuple[str, str, int]:
    """The (family, given, id) position of the row the cursor names, if the user may still see it."""
    try:
        public_id = uuid.UUID(hex=cursor)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValidationError({"cursor": INVALID_CURSOR}) from exc
    found = scoped.filter(public_id=public_id).values_list("search_family", "search_given", "pk").first()
    if found is None:
        raise ValidationError({"cursor": INVALID_CURSOR})
    return found


def _after(family: str, given: str, pk: int) -> Q:
    """(search_family, search_given, id) > (family, given, pk), written so any database can use the index."""
    return (
        Q(search_family__gt=family)
        | Q(search_family=family, search_given__gt=given)
        | Q(search_family=family, search_given=given, pk__gt=pk)
    )


def _name_branches(query: str) -> list[Q]:
    """The name conditions, one per index-friendly branch.

    One word: the start of the family name, or of the given name ("smi", "ada"). Two or more: the
    first and last words start the given and family names, in either order ("john smi", "smith jo").
    Case and accents do not matter. The branches are run as separate queries and merged: an OR in
    one query stops PostgreSQL from reading the (family, given, id) index in order and stopping at
    the page size, which made a common surname 100 times slower on a million records."""
    words = name_search_key(query).split()
    if len(words) == 1:
        return [Q(search_family__startswith=words[0]), Q(search_given__startswith=words[0])]
    first, last = words[0], words[-1]
    return [
        Q(search_family__startswith=last, search_given__startswith=first),
        Q(search_family__startswith=first, search_given__startswith=last),
    ]


def _page_rows(queryset: QuerySet[Patient], branches: list[Q], limit: int) -> list[Patient]:
    """Up to `limit` rows in (family, given, id) order, from the union of the branches."""
    ordered = queryset.order_by("search_family", "search_given", "pk")
    if not branches:
        return list(ordered[:limit])
    merged: dict[int, Patient] = {}
    for branch in branches:
        for row in ordered.filter(branch)[:limit]:
            merged.setdefault(row.pk, row)
    return sorted(merged.values(), key=lambda row: (row.search_family, row.search_given, row.pk))[:limit]


def _filtered(*, user: User, filters: dict[str, Any], scoped: QuerySet[Patient]) -> tuple[QuerySet[Patient], list[Q]]:
    """The scoped queryset narrowed by `filters`, and the name branches; ValidationError naming the field."""
    queryset = scoped
    query = (filters.get("q") or "").strip()
    nhs_number = (filters.get("nhs_number") or "").strip()
    if query and query.replace(" ", "").replace("-", "").isdigit():
        nhs_number, query = query, ""
    if nhs_number:
        try:
            queryset = queryset.filter(nhs_number=normalise_nhs_number(nhs_number))
        except InvalidNHSNumber as exc:
            audit_record(
                user=user, action=AuditAction.LIST, outcome=AuditOutcome.INVALID, detail={"field": "nhs_number"}
            )
            raise ValidationError({"nhs_number": str(exc)}) from exc
    branches: list[Q] = []
    if query:
        if not name_search_key(query):
            raise ValidationError({"q": "Enter at least one letter of a name."})
        branches = _name_branches(query)
    filterset = PatientFilter(data=filters, queryset=queryset)
    if not filterset.is_valid():
        raise ValidationError({name: [str(e) for e in errors] for name, errors in filterset.errors.items()})
    return filterset.qs, branches


def patient_search_check(*, user: User, filters: dict[str, Any]) -> None:
    """Validate a search before it is kept for later pages (ValidationError naming the field); reads no patient."""
    _filtered(user=user, filters=filters, scoped=Patient.objects.none())


def patient_search(
    *, user: User, filters: dict[str, Any], cursor: str | None = None, page_size: int = PAGE_SIZE
) -> PatientPage:
    """The patients this user may see that match `filters`, one page at a time.

    `filters` keys: q (name or NHS number), nhs_number, plus those of PatientFilter.
    Raises ValidationError naming the field for bad input (an invalid NHS number says so).
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    scoped: QuerySet[Patient] = patient_scoped_queryset(user=user)
    queryset, branches = _filtered(user=user, filters=filters, scoped=scoped)
    if cursor:
        queryset = queryset.filter(_after(*_decode_cursor(cursor, scoped)))
    queryset = queryset.only(*LIST_FIELDS, "registered_practice__name", "registered_practice__ods_code")
    rows = _page_rows(queryset, branches, page_size + 1)
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    if rows:
        ids = [row.pk for row in rows]
        audit_record_many(
            user=user,
            action=AuditAction.LIST,
            patient_ids=ids,
            relationships=patient_access_policy.relationships_for(user=user, model=Patient, patient_ids=ids),
            detail={"filters": sorted(key for key, value in filters.items() if value not in (None, ""))},
        )
    return PatientPage(rows=rows, next_cursor=_encode_cursor(rows[-1]) if has_next else None, filters=filters)
