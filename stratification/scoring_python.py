"""The portable path: read facts with the ORM and score one patient at a time.

Used on SQLite (the embedded default) and by calibration on small areas. It is the
reference the PostgreSQL set-based path (scoring_sql.py) must agree with.
"""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

from django.db.models import Q

from patients.ages import age_on
from patients.models import ActivityEvent, CareHomeResidence, EventKind, Patient, PatientCondition, Sex
from stratification.efi import EFI_DEFICITS, efi_category_for_deficits, efi_score
from stratification.features import LTC_ORDER, NO_DISCHARGE, PatientFacts, feature_vector
from stratification.models import RiskRun, RiskScore
from stratification.scoring import LoadedModel, band_for_rank

_DEFICIT_BIT = {deficit: 1 << i for i, deficit in enumerate(EFI_DEFICITS)}
_LTC_BIT = {condition: 1 << i for i, condition in enumerate(LTC_ORDER)}
_SMALLINT_MAX = 32_767


def eligible_patients(*, as_of: date) -> Q:
    """Who is scored: alive on the date and born by then (date of birth is required today)."""
    return Q(date_of_birth__lte=as_of) & (Q(date_of_death__isnull=True) | Q(date_of_death__gt=as_of))


def facts_for_range(*, as_of: date, first_id: int, last_id: int) -> Iterator[PatientFacts]:
    """Facts of the eligible patients whose id is in [first_id, last_id], in id order."""
    in_range = {"patient_id__gte": first_id, "patient_id__lte": last_id}
    patients = (
        Patient.objects.filter(eligible_patients(as_of=as_of), pk__gte=first_id, pk__lte=last_id)
        .order_by("pk")
        .values_list("pk", "registered_practice_id", "date_of_birth", "sex", "housebound", "lives_alone")
    )
    deficit_masks: dict[int, int] = defaultdict(int)
    ltc_masks: dict[int, int] = defaultdict(int)
    conditions = (
        PatientCondition.objects.filter(**in_range)
        .filter(Q(onset_date__isnull=True) | Q(onset_date__lte=as_of))
        .filter(Q(resolved_date__isnull=True) | Q(resolved_date__gt=as_of))
        .values_list("patient_id", "code__frailty_deficit", "code__long_term_condition")
    )
    for patient_id, deficit, condition in conditions:
        deficit_masks[patient_id] |= _DEFICIT_BIT.get(deficit, 0)
        ltc_masks[patient_id] |= _LTC_BIT.get(condition, 0)

    year_ago = as_of - timedelta(days=365)
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    fall_ever: set[int] = set()
    fracture_ever: set[int] = set()
    last_discharge: dict[int, date] = {}
    events = ActivityEvent.objects.filter(**in_range, event_date__lte=as_of).values_list(
        "patient_id", "kind", "event_date", "with_fracture"
    )
    for patient_id, kind, event_date, with_fracture in events:
        if event_date > year_ago:
            counts[patient_id][kind] += 1
        if kind == EventKind.FALL:
            fall_ever.add(patient_id)
        if kind == EventKind.HIP_FRACTURE or (kind == EventKind.FALL and with_fracture):
            fracture_ever.add(patient_id)
        if kind == EventKind.DISCHARGE and event_date > last_discharge.get(patient_id, date.min):
            last_discharge[patient_id] = event_date

    care_home = set(
        CareHomeResidence.objects.filter(**in_range, since__lte=as_of)
        .filter(Q(until__isnull=True) | Q(until__gt=as_of))
        .values_list("patient_id", flat=True)
    )
    for patient_id, practice_id, born, sex, housebound, lives_alone in patients.iterator(chunk_size=2000):
        patient_counts = counts.get(patient_id, {})
        discharged = last_discharge.get(patient_id)
        yield PatientFacts(
            patient_id=patient_id,
            practice_id=practice_id,
            age=age_on(born, as_of),
            male=sex == Sex.MALE,
            housebound=bool(housebound),
            lives_alone=bool(lives_alone),
            deficit_mask=deficit_masks.get(patient_id, 0),
            ltc_mask=ltc_masks.get(patient_id, 0),
            emergency_admissions_12m=patient_counts.get(EventKind.EMERGENCY_ADMISSION, 0),
            ae_attendances_12m=patient_counts.get(EventKind.AE_ATTENDANCE, 0),
            falls_12m=patient_counts.get(EventKind.FALL, 0),
            fall_ever=patient_id in fall_ever,
            fracture_ever=patient_id in fracture_ever,
            care_home=patient_id in care_home,
            days_since_discharge=(as_of - discharged).days if discharged else NO_DISCHARGE,
        )


def score_chunk(*, run: RiskRun, model: LoadedModel, first_id: int, last_id: int) -> int:
    """Score a chunk one patient at a time; rank and band wait for the finaliser. Delete-then-insert
    keyed on (run, patient range), so a redelivered chunk leaves the same rows. The caller owns the transaction."""
    RiskScore.objects.filter(run_id=run.pk, patient_id__gte=first_id, patient_id__lte=last_id).delete()
    rows = []
    for facts in facts_for_range(as_of=run.as_of, first_id=first_id, last_id=last_id):
        values = feature_vector(facts)
        deficits = facts.efi_deficits
        rows.append(
            RiskScore(
                run_id=run.pk,
                patient_id=facts.patient_id,
                practice_id=facts.practice_id,
                age=facts.age,
                score=model.score(values),
                rank=0,
                band="",
                efi_score=efi_score(deficits),
                efi_deficits=deficits,
                efi_category=efi_category_for_deficits(deficits),
                emergency_admissions_12m=min(facts.emergency_admissions_12m, _SMALLINT_MAX),
                ae_attendances_12m=min(facts.ae_attendances_12m, _SMALLINT_MAX),
                falls_12m=min(facts.falls_12m, _SMALLINT_MAX),
                ltc_count=facts.ltc_count,
                ltc_mask=facts.ltc_mask,
                care_home=facts.care_home,
                factors=",".join(model.top_factors(values)),
            )
        )
    RiskScore.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def rank_run(*, run: RiskRun, cutoffs: tuple[int, int, int], previous_run_id: int | None) -> None:
    """Rank by score (ties by patient id), band by rank, and note each patient's previous band
    and frailty category; rewritten as one delete-and-insert inside the publishing transaction."""
    rows = sorted(RiskScore.objects.filter(run_id=run.pk), key=lambda row: (-row.score, row.patient_id))
    previous: dict[int, tuple[str, str]] = {}
    if previous_run_id:
        previous = {
            patient_id: (band, category)
            for patient_id, band, category in RiskScore.objects.filter(run_id=previous_run_id).values_list(
                "patient_id", "band", "efi_category"
            )
        }
    for rank, row in enumerate(rows, start=1):
        row.rank = rank
        row.band = band_for_rank(rank, cutoffs)
        row.previous_band, row.previous_efi_category = previous.get(row.patient_id, ("", ""))
    RiskScore.objects.filter(run_id=run.pk).delete()
    RiskScore.objects.bulk_create(rows, batch_size=2000)
