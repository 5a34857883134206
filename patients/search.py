"""Patient list and search: keyset pagination over folded names, scoped by the access policy.

No COUNT(*) of the whole set: a page fetches one row more than it shows to know whether
there is a next page, so the cost of a page does not grow with the size of the list.
Every row shown is audited (LIST) in one bulk insert, so a page is a fixed number of queries.
"""

import base64
import binascii
import json
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from caremodel.audit import audit_record, audit_record_many
from caremodel.input_limits import MAX_CURSOR, MAX_ID
from caremodel.models import AuditAction, AuditOutcome, User
from caremodel.request_guard import text_fault
from patients.filters import PatientFilter
from patients.models import Patient
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number
from patients.search_keys import name_search_key
from patients.selectors import patient_scoped_queryset

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


def _encode_cursor(patient: Patient) -> str:
    raw = json.dumps([patient.search_family, patient.search_given, patient.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[str, str, int]:
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        family, given, pk = json.loads(raw)
        if not (isinstance(family, str) and isinstance(given, str) and isinstance(pk, int)):
            raise ValueError
        # A crafted cursor is input like any other: no NUL or lone surrogate, no id past BIGINT.
        if text_fault(family) or text_fault(given) or not 0 <= pk <= MAX_ID:
            raise ValueError
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
        raise ValidationError({"cursor": "The page cursor is not valid; start from the first page."}) from exc
    return family, given, pk


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


def patient_search(
    *, user: User, filters: dict[str, Any], cursor: str | None = None, page_size: int = PAGE_SIZE
) -> PatientPage:
    """The patients this user may see that match `filters`, one page at a time.

    `filters` keys: q (name or NHS number), nhs_number, plus those of PatientFilter.
    Raises ValidationError naming the field for bad input (an invalid NHS number says so).
    """
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    queryset: QuerySet[Patient] = patient_scoped_queryset(user=user)
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
    queryset = filterset.qs
    if cursor:
        queryset = queryset.filter(_after(*_decode_cursor(cursor)))
    queryset = queryset.only(*LIST_FIELDS, "registered_practice__name", "registered_practice__ods_code")
    rows = _page_rows(queryset, branches, page_size + 1)
    has_next = len(rows) > page_size
    rows = rows[:page_size]
    if rows:
        audit_record_many(
            user=user,
            action=AuditAction.LIST,
            patient_ids=[row.pk for row in rows],
            detail={"filters": sorted(key for key, value in filters.items() if value not in (None, ""))},
        )
    return PatientPage(rows=rows, next_cursor=_encode_cursor(rows[-1]) if has_next else None, filters=filters)
