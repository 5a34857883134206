"""Scoring with a model record, explanations, bands by rank, and clear messages for bad records."""

import math
from decimal import Decimal

import numpy as np
import pytest

from stratification.features import FEATURE_NAMES, PatientFacts, factor_words, feature_vector
from stratification.models import BandConfiguration, RiskModel, RiskScore
from stratification.scoring import (
    BandConfigurationInvalid,
    LoadedModel,
    RiskModelInvalid,
    active_band_configuration,
    band_cutoffs,
    band_for_rank,
)
from tests.stratification.factories import HAND_COEFFICIENTS, HAND_INTERCEPT

DEFAULT_SHARES = {"very_high": "2.00", "high": "3.00", "moderate": "15.00"}


def _model() -> LoadedModel:
    record = RiskModel(
        version="hand",
        features=list(FEATURE_NAMES),
        coefficients=[HAND_COEFFICIENTS.get(n, 0.0) for n in FEATURE_NAMES],
        intercept=HAND_INTERCEPT,
    )
    return LoadedModel.from_record(record)


def _facts(**overrides: object) -> PatientFacts:
    base = {
        "patient_id": 1,
        "practice_id": None,
        "age": 60,
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


def test_score_against_a_hand_computed_value() -> None:
    # 87, two admissions, heart failure (bit 1 of LTC_ORDER), discharged 20 days ago.
    facts = _facts(age=87, emergency_admissions_12m=2, ltc_mask=0b10, days_since_discharge=20)
    # intercept -4.0 + 85+ 0.9 + 2 x 0.8 + ltc_count 1 x 0.2 + heart failure 0.6 + 30d 0.5 + 90d 0.2 = 0.0
    assert _model().score(feature_vector(facts)) == pytest.approx(0.5, abs=1e-12)
    nobody = _model().score(feature_vector(_facts()))
    assert nobody == pytest.approx(1 / (1 + math.exp(4.0)), abs=1e-12)


def test_counts_are_capped_at_five() -> None:
    many = _model().score(feature_vector(_facts(emergency_admissions_12m=12)))
    five = _model().score(feature_vector(_facts(emergency_admissions_12m=5)))
    assert many == five


def test_top_factors_in_order_and_in_words() -> None:
    facts = _facts(age=87, emergency_admissions_12m=2, ltc_mask=0b10)
    factors = _model().top_factors(feature_vector(facts))
    assert factors == ["emergency_admissions_12m", "age_85_plus", "ltc_heart_failure"]
    score = RiskScore(emergency_admissions_12m=2, ae_attendances_12m=1, falls_12m=1, ltc_count=3)
    assert factor_words("emergency_admissions_12m", score) == "2 emergency admissions in the last 12 months"
    assert factor_words("ae_attendances_12m", score) == "1 A&E attendance in the last 12 months"
    assert factor_words("efi_severe", score) == "eFI severe"
    assert factor_words("ltc_heart_failure", score) == "heart failure"
    assert factor_words("ltc_copd", score) == "COPD"


def test_matrix_scoring_matches_one_by_one() -> None:
    model = _model()
    people = [
        _facts(age=a, emergency_admissions_12m=e, falls_12m=f) for a in (40, 70, 80, 90) for e in (0, 3) for f in (0, 1)
    ]
    matrix = np.array([[feature_vector(p)[n] for n in model.features] for p in people])
    scores = model.score_matrix(matrix)
    indexes = model.top_factor_indexes(matrix)
    for person, score, chosen in zip(people, scores, indexes, strict=True):
        values = feature_vector(person)
        assert score == pytest.approx(model.score(values), abs=1e-12)
        assert [model.features[i] for i in chosen if i >= 0] == model.top_factors(values)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"coefficients": []}, "coefficients: The model has no coefficients"),
        ({"coefficients": None}, "coefficients: The model has no coefficients"),
        ({"coefficients": [0.1, 0.2]}, "there are 2 coefficients for"),
        ({"coefficients": ["a"] * len(FEATURE_NAMES)}, "Coefficients must be a list of numbers"),
        ({"features": ["age_65_74", "shoe_size"], "coefficients": [0.1, 0.2]}, "Unknown features: shoe_size"),
        ({"intercept": None}, "intercept: The model has no intercept"),
    ],
)
def test_bad_model_records_get_a_clear_message(change: dict[str, object], message: str) -> None:
    fields = {
        "version": "bad-1",
        "features": list(FEATURE_NAMES),
        "coefficients": [0.0] * len(FEATURE_NAMES),
        "intercept": -3.0,
        **change,
    }
    with pytest.raises(RiskModelInvalid) as raised:
        LoadedModel.from_record(RiskModel(**fields))
    assert "Risk model bad-1 cannot be used" in str(raised.value)
    assert message.lower() in str(raised.value).lower()


@pytest.mark.parametrize(
    ("population", "cutoffs"),
    [(100, (2, 5, 20)), (1000, (20, 50, 200)), (49, (0, 2, 9)), (50, (1, 2, 10)), (0, (0, 0, 0))],
)
def test_band_cutoffs(population: int, cutoffs: tuple[int, int, int]) -> None:
    assert band_cutoffs(population=population, shares=DEFAULT_SHARES) == cutoffs


def test_band_at_the_edges() -> None:
    cutoffs = band_cutoffs(population=100, shares=DEFAULT_SHARES)
    assert [band_for_rank(r, cutoffs) for r in (1, 2, 3, 5, 6, 20, 21, 100)] == [
        "very_high",
        "very_high",
        "high",
        "high",
        "moderate",
        "moderate",
        "low",
        "low",
    ]


@pytest.mark.django_db
def test_default_band_configuration_is_the_kaiser_pyramid() -> None:
    config = active_band_configuration()
    assert (config.very_high_percent, config.high_percent, config.moderate_percent) == (2, 3, 15)
    assert config.low_percent == 80


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("shares", "message"),
    [
        ((Decimal(50), Decimal(30), Decimal(30)), "add up to 110.00%, more than 100%"),
        ((Decimal(0), Decimal(3), Decimal(15)), "very_high_percent: Each band's share must be more than 0%"),
    ],
)
def test_bad_band_configuration_gets_a_clear_message(shares: tuple[Decimal, ...], message: str) -> None:
    BandConfiguration.objects.create(
        name="Broken", very_high_percent=shares[0], high_percent=shares[1], moderate_percent=shares[2]
    )
    with pytest.raises(BandConfigurationInvalid) as raised:
        active_band_configuration()
    assert "Band configuration 'Broken' cannot be used" in str(raised.value)
    assert message in str(raised.value)
