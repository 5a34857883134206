"""Rows without an NHS number are never merged silently: they are matched on name, date of
birth and postcode and queued for a person to confirm."""

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from patients.models import Patient, PendingMatch
from patients.search_keys import name_search_key, postcode_key


@dataclass(frozen=True)
class UnmatchedRow:
    line: int
    given_name: str
    family_name: str
    date_of_birth: date
    postcode: str
    row: dict[str, str]


def queue_pending_matches(*, source: str, rows: list[UnmatchedRow]) -> int:
    """Queue each row once (a re-run of the same file queues nothing new); returns how many were new."""
    if not rows:
        return 0
    matches: list[PendingMatch] = []
    for item in rows:
        fingerprint = hashlib.sha256(json.dumps(item.row, sort_keys=True).encode()).hexdigest()
        candidates = list(
            Patient.objects.filter(
                search_family=name_search_key(item.family_name),
                search_given=name_search_key(item.given_name),
                date_of_birth=item.date_of_birth,
                postcode=postcode_key(item.postcode),
            ).values_list("pk", flat=True)[:5]
        )
        matches.append(
            PendingMatch(
                source=source,
                fingerprint=fingerprint,
                line_number=item.line,
                given_name=item.given_name[:100],
                family_name=item.family_name[:100],
                date_of_birth=item.date_of_birth,
                postcode=postcode_key(item.postcode)[:8],
                row=item.row,
                candidate_id=candidates[0] if len(candidates) == 1 else None,
                candidate_count=len(candidates),
            )
        )
    fingerprints = [match.fingerprint for match in matches]
    before = PendingMatch.objects.filter(source=source, fingerprint__in=fingerprints).count()
    PendingMatch.objects.bulk_create(matches, ignore_conflicts=True)
    after = PendingMatch.objects.filter(source=source, fingerprint__in=fingerprints).count()
    return after - before
