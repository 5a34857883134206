"""Import rows waiting for a person to say which record they belong to, and the records each might
belong to: born the same day, with a similar name or the same postcode. The importer suggests one
record when exactly one fits; every plausible record is offered, the suggestion first."""

from django.db.models import QuerySet

from patients.models import Patient, PendingMatch, PendingMatchStatus
from patients.search_keys import name_search_key

MAX_CANDIDATES = 10


def pending_matches_waiting() -> QuerySet[PendingMatch]:
    return PendingMatch.objects.filter(status=PendingMatchStatus.PENDING).select_related("candidate")


def _postcode(value: str) -> str:
    return value.replace(" ", "").upper()


def _plausible(match: PendingMatch, patient: Patient) -> bool:
    """Same date of birth (the caller's query) and a similar name or the same postcode."""
    family = name_search_key(match.family_name)
    given = name_search_key(match.given_name)
    similar_family = bool(family) and (
        patient.search_family.startswith(family[:3]) or family.startswith(patient.search_family[:3])
    )
    same_initial = bool(given) and patient.search_given[:1] == given[:1]
    same_postcode = bool(match.postcode) and _postcode(patient.postcode) == _postcode(match.postcode)
    return (similar_family and (same_initial or not given)) or (same_postcode and (same_initial or similar_family))


def plausible_records(*, matches: list[PendingMatch]) -> dict[int, list[Patient]]:
    """For each pending match, the records it might belong to (the suggested one first); one query."""
    births = {match.date_of_birth for match in matches if match.date_of_birth is not None}
    suggested = {match.candidate_id for match in matches if match.candidate_id is not None}
    people = list(
        Patient.objects.filter(date_of_birth__in=births).select_related("registered_practice").order_by("id")
    ) + list(Patient.objects.filter(pk__in=suggested).exclude(date_of_birth__in=births))
    found: dict[int, list[Patient]] = {}
    for match in matches:
        rows = [p for p in people if p.pk == match.candidate_id]
        rows += [
            p
            for p in people
            if p.pk != match.candidate_id and p.date_of_birth == match.date_of_birth and _plausible(match, p)
        ]
        found[match.pk] = rows[:MAX_CANDIDATES]
    return found
