"""The facts we read about each patient and the model features built from them.

Both scoring paths (set-based SQL on PostgreSQL, per-patient Python elsewhere) first reduce
a patient's record to the same `PatientFacts`, then turn facts into the same feature vector:
one definition here keeps the two paths in agreement (tests/stratification/test_paths_agree.py).
"""

from dataclasses import dataclass

from patients.models import LongTermCondition
from stratification.efi import EFI_DEFICITS, efi_category_for_deficits, extra_deficit_mask

# Counts of events are capped before they enter the model: the sixth admission adds little
# that the fifth did not, and a cap keeps one outlier record from dominating the fit.
COUNT_CAP = 5

LTC_ORDER: tuple[str, ...] = tuple(LongTermCondition.values)
LTC_LABELS: dict[str, str] = dict(LongTermCondition.choices)

FEATURE_NAMES: tuple[str, ...] = (
    "age_65_74",
    "age_75_84",
    "age_85_plus",
    "male",
    "emergency_admissions_12m",
    "ae_attendances_12m",
    "falls_12m",
    "ltc_count",
    *(f"ltc_{condition}" for condition in LTC_ORDER),
    "efi_mild",
    "efi_moderate",
    "efi_severe",
    "care_home",
    "lives_alone",
    "discharge_30d",
    "discharge_90d",
)

NO_DISCHARGE = 99_999  # days since the last discharge when there has been none


@dataclass(frozen=True)
class PatientFacts:
    """What the record says about one patient as at a date, before any modelling."""

    patient_id: int
    practice_id: int | None
    age: int
    male: bool
    housebound: bool
    lives_alone: bool
    deficit_mask: int  # bit i: EFI_DEFICITS[i] is coded among the active conditions
    ltc_mask: int  # bit i: LTC_ORDER[i] is among the active conditions
    emergency_admissions_12m: int
    ae_attendances_12m: int
    falls_12m: int
    fall_ever: bool
    fracture_ever: bool
    care_home: bool
    days_since_discharge: int

    @property
    def efi_mask(self) -> int:
        return self.deficit_mask | extra_deficit_mask(
            housebound=self.housebound,
            fall_ever=self.fall_ever,
            fracture_ever=self.fracture_ever,
            lives_alone=self.lives_alone,
            care_home=self.care_home,
        )

    @property
    def efi_deficits(self) -> int:
        return self.efi_mask.bit_count()

    @property
    def ltc_count(self) -> int:
        return self.ltc_mask.bit_count()


def feature_vector(facts: PatientFacts) -> dict[str, float]:
    """The model's inputs for one patient (the Python path; scoring_sql.py vectorises the same)."""
    category = efi_category_for_deficits(facts.efi_deficits)
    values: dict[str, float] = {
        "age_65_74": float(65 <= facts.age <= 74),
        "age_75_84": float(75 <= facts.age <= 84),
        "age_85_plus": float(facts.age >= 85),
        "male": float(facts.male),
        "emergency_admissions_12m": float(min(facts.emergency_admissions_12m, COUNT_CAP)),
        "ae_attendances_12m": float(min(facts.ae_attendances_12m, COUNT_CAP)),
        "falls_12m": float(min(facts.falls_12m, COUNT_CAP)),
        "ltc_count": float(facts.ltc_count),
        "efi_mild": float(category == "mild"),
        "efi_moderate": float(category == "moderate"),
        "efi_severe": float(category == "severe"),
        "care_home": float(facts.care_home),
        "lives_alone": float(facts.lives_alone),
        "discharge_30d": float(facts.days_since_discharge <= 30),
        "discharge_90d": float(facts.days_since_discharge <= 90),
    }
    for i, condition in enumerate(LTC_ORDER):
        values[f"ltc_{condition}"] = float(bool(facts.ltc_mask >> i & 1))
    return values


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def factor_words(name: str, score: object) -> str:
    """A contributing feature in words, using the counts stored with the score."""
    if name == "emergency_admissions_12m":
        n = int(score.emergency_admissions_12m)  # type: ignore[attr-defined]
        return f"{_plural(n, 'emergency admission', 'emergency admissions')} in the last 12 months"
    if name == "ae_attendances_12m":
        n = int(score.ae_attendances_12m)  # type: ignore[attr-defined]
        return f"{_plural(n, 'A&E attendance', 'A&E attendances')} in the last 12 months"
    if name == "falls_12m":
        n = int(score.falls_12m)  # type: ignore[attr-defined]
        return f"{_plural(n, 'fall', 'falls')} in the last 12 months"
    if name == "ltc_count":
        return _plural(int(score.ltc_count), "long-term condition", "long-term conditions")  # type: ignore[attr-defined]
    if name.startswith("ltc_"):
        label = LTC_LABELS.get(name.removeprefix("ltc_"), name)
        return label if label.isupper() else label[0].lower() + label[1:]
    if name.startswith("efi_"):
        return f"eFI {name.removeprefix('efi_')}"
    return {
        "age_65_74": "aged 65 to 74",
        "age_75_84": "aged 75 to 84",
        "age_85_plus": "aged 85 or over",
        "male": "male",
        "care_home": "lives in a care home",
        "lives_alone": "lives alone",
        "discharge_30d": "discharged from hospital in the last 30 days",
        "discharge_90d": "discharged from hospital in the last 90 days",
    }.get(name, name)


__all__ = [
    "EFI_DEFICITS",
    "FEATURE_NAMES",
    "LTC_ORDER",
    "NO_DISCHARGE",
    "PatientFacts",
    "factor_words",
    "feature_vector",
]
