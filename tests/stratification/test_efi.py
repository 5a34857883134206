"""The electronic Frailty Index: 36 deficits, score = present / 36, and the paper's cut-offs."""

import pytest

from patients.codelist import CODES
from patients.models import FrailtyDeficit
from stratification.efi import (
    EFI_DEFICITS,
    deficit_bit,
    deficits_in_mask,
    efi_category_for_deficits,
    efi_category_for_score,
    efi_score,
    extra_deficit_mask,
)
from stratification.features import PatientFacts


def test_there_are_36_deficits_and_the_code_list_maps_every_one() -> None:
    assert len(EFI_DEFICITS) == 36
    assert {entry.frailty_deficit for entry in CODES if entry.frailty_deficit} == set(EFI_DEFICITS)


@pytest.mark.parametrize(
    ("score", "category"),
    [
        (0.0, "fit"),
        (0.12, "fit"),
        (0.1200001, "mild"),
        (0.24, "mild"),
        (0.2400001, "moderate"),
        (0.36, "moderate"),
        (0.3600001, "severe"),
        (1.0, "severe"),
    ],
)
def test_cut_offs_at_the_edges(score: float, category: str) -> None:
    assert efi_category_for_score(score) == category


@pytest.mark.parametrize(
    ("deficits", "category"),
    [
        (0, "fit"),
        (4, "fit"),
        (5, "mild"),
        (8, "mild"),
        (9, "moderate"),
        (12, "moderate"),
        (13, "severe"),
        (36, "severe"),
    ],
)
def test_category_from_the_count_agrees_with_the_score(deficits: int, category: str) -> None:
    assert efi_category_for_deficits(deficits) == category
    assert efi_category_for_score(efi_score(deficits)) == category


def test_score_is_deficits_over_36() -> None:
    assert efi_score(9) == 0.25
    assert efi_score(36) == 1.0


def _facts(**overrides: object) -> PatientFacts:
    base = {
        "patient_id": 1,
        "practice_id": None,
        "age": 80,
        "male": False,
        "housebound": False,
        "lives_alone": False,
        "deficit_mask": 0,
        "ltc_mask": 0,
        "emergency_admissions_12m": 0,
        "ae_attendances_12m": 0,
        "falls_12m": 0,
        "fall_ever": False,
        "fracture_ever": False,
        "care_home": False,
        "days_since_discharge": 99_999,
    }
    base.update(overrides)
    return PatientFacts(**base)  # type: ignore[arg-type]


def test_record_facts_beyond_codes_count_as_their_deficits() -> None:
    mask = extra_deficit_mask(housebound=True, fall_ever=True, fracture_ever=True, lives_alone=True, care_home=True)
    assert set(deficits_in_mask(mask)) == {
        FrailtyDeficit.HOUSEBOUND,
        FrailtyDeficit.FALLS,
        FrailtyDeficit.FRAGILITY_FRACTURE,
        FrailtyDeficit.SOCIAL_VULNERABILITY,
        FrailtyDeficit.REQUIREMENT_FOR_CARE,
    }


def test_a_deficit_shown_by_a_code_and_a_fact_counts_once() -> None:
    coded = (
        deficit_bit(FrailtyDeficit.FALLS)
        | deficit_bit(FrailtyDeficit.HOUSEBOUND)
        | deficit_bit(FrailtyDeficit.DIABETES)
    )
    facts = _facts(deficit_mask=coded, housebound=True, fall_ever=True)
    assert facts.efi_deficits == 3
