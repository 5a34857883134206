"""Demo registers, carers, care-home stays and two years of activity for the demo population.

Rates are rough but shaped like an older English population: long-term conditions and eFI
deficits become more common with age, emergency admissions and A&E attendances rise with
age and frailty, falls mostly happen to the over-75s. Deterministic for a given seed.
"""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from caremodel.models import Organisation, OrganisationKind, Role
from patients.models import ActivityEvent, CareHomeResidence, CarerRelationship, ClinicalCode, Patient, PatientCondition
from patients.rules.registers import ACCOUNTABLE_GP_AGE
from patients.selectors.staff import covering_staff

# code -> prevalence by age band (under 45, 45-64, 65-74, 75-84, 85+)
PREVALENCE: dict[str, tuple[float, float, float, float, float]] = {
    "38341003": (0.03, 0.18, 0.45, 0.55, 0.60),  # hypertension
    "44054006": (0.01, 0.07, 0.15, 0.18, 0.16),  # type 2 diabetes
    "13645005": (0.002, 0.03, 0.07, 0.09, 0.09),  # COPD
    "195967001": (0.08, 0.07, 0.07, 0.07, 0.06),  # asthma
    "84114007": (0.0, 0.005, 0.02, 0.05, 0.10),  # heart failure
    "49436004": (0.0, 0.01, 0.05, 0.10, 0.15),  # atrial fibrillation
    "414545008": (0.002, 0.03, 0.09, 0.14, 0.18),  # ischaemic heart disease
    "709044004": (0.005, 0.03, 0.10, 0.20, 0.30),  # CKD
    "52448006": (0.0, 0.002, 0.015, 0.06, 0.18),  # dementia
    "230690007": (0.002, 0.01, 0.04, 0.07, 0.10),  # stroke
    "363346000": (0.005, 0.03, 0.07, 0.10, 0.12),  # cancer
    "396275006": (0.01, 0.10, 0.25, 0.35, 0.40),  # osteoarthritis
    "64859006": (0.0, 0.02, 0.06, 0.12, 0.20),  # osteoporosis
    "161898004": (0.005, 0.02, 0.06, 0.14, 0.25),  # falls
    "15188001": (0.01, 0.04, 0.12, 0.25, 0.40),  # hearing loss
    "397540003": (0.005, 0.02, 0.05, 0.10, 0.20),  # visual impairment
    "165232002": (0.005, 0.02, 0.06, 0.12, 0.22),  # urinary incontinence
    "CM-EFI-POLY": (0.01, 0.08, 0.25, 0.40, 0.50),  # polypharmacy
    "CM-EFI-MOB": (0.0, 0.01, 0.04, 0.12, 0.30),  # mobility problems
    "CM-EFI-CARE": (0.0, 0.005, 0.02, 0.08, 0.25),  # requires care
    "CM-EFI-SOC": (0.01, 0.02, 0.05, 0.10, 0.15),  # social vulnerability
}
# Annual emergency admissions per person by band, before the frailty multiplier.
ADMISSION_RATE = (0.04, 0.06, 0.12, 0.22, 0.38)
RELATIONSHIPS = ("wife", "husband", "daughter", "son", "neighbour", "friend", "daughter-in-law")
CARER_NAMES = ("Helen", "Mark", "Julie", "Paul", "Karen", "Steve", "Anita", "Raj", "Fiona", "Gareth")


def _band(age: int) -> int:
    return 0 if age < 45 else 1 if age < 65 else 2 if age < 75 else 3 if age < 85 else 4


def _poisson(rng: random.Random, mean: float) -> int:
    """Knuth's method: small means only, which is all these rates need."""
    limit, count, product = pow(2.718281828, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


@dataclass
class RecordCounts:
    conditions: int = 0
    carers: int = 0
    care_home_stays: int = 0
    events: int = 0


def _accountable_gps(practice_ids: set[int | None]) -> dict[int, list[int]]:
    """Per practice, the GPs of the teams that cover it (as the registers form offers them)."""
    practices = Organisation.objects.filter(pk__in=[pk for pk in practice_ids if pk is not None])
    return {
        practice.pk: sorted(covering_staff(practice=practice).filter(role=Role.GP).values_list("pk", flat=True))
        for practice in practices
    }


def build_record(*, patients: list[Patient], seed: int, today: date) -> RecordCounts:
    """Registers, carers, care homes and events for `patients` (already saved, with pks)."""
    rng = random.Random(seed + 1)  # noqa: S311 - synthetic data, not security
    codes = dict(ClinicalCode.objects.values_list("code", "pk"))
    providers = list(Organisation.objects.filter(kind=OrganisationKind.ACUTE_TRUST).values_list("pk", flat=True))
    care_homes = list(Organisation.objects.filter(kind=OrganisationKind.CARE_HOME).values_list("pk", flat=True))
    gps = _accountable_gps({patient.registered_practice_id for patient in patients})
    conditions: list[PatientCondition] = []
    carers: list[CarerRelationship] = []
    stays: list[CareHomeResidence] = []
    events: list[ActivityEvent] = []
    social: list[Patient] = []
    start = today - timedelta(days=730)
    for patient in patients:
        age = (today - patient.date_of_birth).days // 365
        band = _band(age)
        deficits = 0
        for code, rates in PREVALENCE.items():
            if rng.random() < rates[band]:
                onset_from = max(patient.date_of_birth + timedelta(days=365 * 18), today - timedelta(days=365 * 20))
                span = max((today - onset_from).days, 1)
                onset = onset_from + timedelta(days=rng.randrange(span)) if onset_from < today else None
                conditions.append(
                    PatientCondition(patient_id=patient.pk, code_id=codes[code], onset_date=onset, source="demo")
                )
                deficits += 1
        practice_gps = gps.get(patient.registered_practice_id or 0)
        if age >= ACCOUNTABLE_GP_AGE and practice_gps:
            patient.accountable_gp_id = rng.choice(practice_gps)
        if age >= 65:
            patient.lives_alone = rng.random() < 0.2 + 0.1 * band
            patient.housebound = rng.random() < 0.02 * band * (1 + deficits / 4)
            social.append(patient)
            if care_homes and age >= 75 and rng.random() < 0.015 * band * (1 + deficits / 5):
                since = today - timedelta(days=rng.randrange(30, 1500))
                stays.append(
                    CareHomeResidence(
                        patient_id=patient.pk,
                        care_home_id=rng.choice(care_homes),
                        nursing=rng.random() < 0.4,
                        since=max(since, patient.date_of_birth),
                    )
                )
            elif deficits >= 3 and rng.random() < 0.5:
                carers.append(
                    CarerRelationship(
                        patient_id=patient.pk,
                        carer_name=f"{rng.choice(CARER_NAMES)} {patient.family_name}",
                        relationship=rng.choice(RELATIONSHIPS),
                        is_main_carer=True,
                        availability=rng.choice(("Daily", "Weekdays after 5pm", "Lives with the patient", "Weekends")),
                    )
                )
        frailty = 1 + deficits / 4
        admissions = _poisson(rng, 2 * ADMISSION_RATE[band] * frailty)
        attendances = _poisson(rng, 2 * 1.8 * ADMISSION_RATE[band] * frailty)
        falls = _poisson(rng, 2 * 0.15 * frailty) if age >= 75 else 0
        if patient.date_of_death is not None:
            continue
        n = 0
        for kind, count in (("emergency_admission", admissions), ("ae_attendance", attendances), ("fall", falls)):
            for _ in range(count):
                n += 1
                when = start + timedelta(days=rng.randrange(730))
                stay = _poisson(rng, 3 + 2 * band) + 1 if kind == "emergency_admission" else None
                events.append(
                    ActivityEvent(
                        patient_id=patient.pk,
                        kind=kind,
                        event_date=when,
                        provider_id=rng.choice(providers) if providers else None,
                        source_system="demo",
                        source_id=f"{patient.nhs_number}-{n}",
                        length_of_stay_days=stay,
                        with_fracture=(rng.random() < 0.1) if kind == "fall" else None,
                    )
                )
                if kind == "emergency_admission" and when + timedelta(days=stay or 0) <= today:
                    n += 1
                    events.append(
                        ActivityEvent(
                            patient_id=patient.pk,
                            kind="discharge",
                            event_date=when + timedelta(days=stay or 0),
                            provider_id=events[-1].provider_id,
                            source_system="demo",
                            source_id=f"{patient.nhs_number}-{n}",
                            discharge_destination="usual_residence" if rng.random() < 0.9 else "intermediate_care_bed",
                        )
                    )
    PatientCondition.objects.bulk_create(conditions, batch_size=2000, ignore_conflicts=True)
    CarerRelationship.objects.bulk_create(carers, batch_size=2000)
    CareHomeResidence.objects.bulk_create(stays, batch_size=2000)
    ActivityEvent.objects.bulk_create(events, batch_size=2000, ignore_conflicts=True)
    Patient.objects.bulk_update(social, ["lives_alone", "housebound", "accountable_gp"], batch_size=2000)
    return RecordCounts(len(conditions), len(carers), len(stays), len(events))
