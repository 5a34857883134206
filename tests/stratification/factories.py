"""Builders for risk tests: a model record, and patients with conditions and events."""

import datetime
import random

from patients.models import ActivityEvent, CareHomeResidence, ClinicalCode, EventKind, Patient, PatientCondition
from stratification.features import FEATURE_NAMES
from stratification.models import RiskModel
from tests.caremodel.factories import OrganisationFactory
from tests.patients.factories import PatientFactory

AS_OF = datetime.date(2026, 6, 1)

# Hand-set coefficients: easy to compute by hand in the tests.
HAND_COEFFICIENTS = {
    "emergency_admissions_12m": 0.8,
    "ae_attendances_12m": 0.3,
    "falls_12m": 0.4,
    "ltc_count": 0.2,
    "ltc_heart_failure": 0.6,
    "efi_mild": 0.3,
    "efi_moderate": 0.6,
    "efi_severe": 1.0,
    "age_75_84": 0.5,
    "age_85_plus": 0.9,
    "care_home": 0.7,
    "lives_alone": 0.1,
    "discharge_30d": 0.5,
    "discharge_90d": 0.2,
}
HAND_INTERCEPT = -4.0


def hand_model(*, version: str = "hand-1", active: bool = True) -> RiskModel:
    return RiskModel.objects.create(
        version=version,
        features=list(FEATURE_NAMES),
        coefficients=[HAND_COEFFICIENTS.get(name, 0.0) for name in FEATURE_NAMES],
        intercept=HAND_INTERCEPT,
        is_active=active,
    )


_source = iter(range(1, 10**9))


def ensure_codelist() -> None:
    """Transactional tests flush the code list the data migration loaded; put it back."""
    from patients.codelist import CODES

    if ClinicalCode.objects.exists():
        return
    ClinicalCode.objects.bulk_create(
        ClinicalCode(
            code=entry.code,
            term=entry.term,
            is_snomed=entry.is_snomed,
            long_term_condition=entry.long_term_condition,
            frailty_deficit=entry.frailty_deficit,
        )
        for entry in CODES
    )


def code(term_or_deficit: str) -> ClinicalCode:
    ensure_codelist()
    found = ClinicalCode.objects.filter(frailty_deficit=term_or_deficit).first()
    return found or ClinicalCode.objects.get(long_term_condition=term_or_deficit, frailty_deficit=term_or_deficit)


def add_condition(
    patient: Patient,
    clinical_code: ClinicalCode,
    *,
    onset: datetime.date | None = None,
    resolved: datetime.date | None = None,
) -> PatientCondition:
    return PatientCondition.objects.create(
        patient=patient, code=clinical_code, onset_date=onset, resolved_date=resolved
    )


def add_event(patient: Patient, kind: str, day: datetime.date, **extra: object) -> ActivityEvent:
    return ActivityEvent.objects.create(
        patient=patient, kind=kind, event_date=day, source_system="test", source_id=f"t{next(_source)}", **extra
    )


def random_population(*, practice, count: int, seed: int = 7, as_of: datetime.date = AS_OF) -> list[Patient]:
    """A varied population: ages, sexes, conditions, deficits, events over two years, care homes."""
    rng = random.Random(seed)
    ensure_codelist()
    codes = list(ClinicalCode.objects.order_by("code"))
    care_home = OrganisationFactory(kind="care_home", name="Test care home")
    patients = []
    for _ in range(count):
        born = as_of - datetime.timedelta(days=rng.randrange(20 * 365, 100 * 365))
        patient = PatientFactory(
            registered_practice=practice,
            date_of_birth=born,
            sex=rng.choice(["male", "female"]),
            housebound=rng.random() < 0.1,
            lives_alone=rng.choice([True, False, None]),
        )
        for clinical_code in rng.sample(codes, rng.randrange(0, 9)):
            resolved = as_of - datetime.timedelta(days=10) if rng.random() < 0.1 else None
            onset = as_of - datetime.timedelta(days=rng.randrange(-30, 3000))
            if resolved and resolved < onset:
                resolved = None
            add_condition(patient, clinical_code, onset=onset, resolved=resolved)
        for _ in range(rng.randrange(0, 8)):
            kind = rng.choice(list(EventKind.values))
            day = as_of - datetime.timedelta(days=rng.randrange(-200, 730))
            extra: dict[str, object] = {}
            if kind == EventKind.FALL:
                extra["with_fracture"] = rng.choice([True, False, None])
            add_event(patient, kind, day, **extra)
        if rng.random() < 0.05:
            CareHomeResidence.objects.create(
                patient=patient, care_home=care_home, since=as_of - datetime.timedelta(days=rng.randrange(1, 400))
            )
        patients.append(patient)
    return patients
