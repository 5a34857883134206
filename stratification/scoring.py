"""Scoring with a RiskModel record, and bands by rank.

The model is a logistic regression: p = 1 / (1 + exp(-(intercept + sum(coef_i * x_i)))).
Its coefficients are data (a RiskModel row), so a refit is a new version, never a code change.
"""

import math
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import numpy as np
from django.core.exceptions import ValidationError

from stratification.models import Band, BandConfiguration, RiskModel

TOP_FACTORS = 3
# Coefficients are applied in units of 1e-9. Every feature is a small whole number, so the
# logit is an exact integer sum: the Python and the numpy path add in different orders, and
# with floats two people whose logits are mathematically equal could differ in the last bit
# and swap ranks between paths. Exact sums keep ties ties. (1e-9 is far below any fitted precision.)
UNITS = 1_000_000_000


class RiskModelInvalid(Exception):
    """The model record cannot score: the message says which field and why."""


class BandConfigurationInvalid(Exception):
    """The band shares do not add up: the message says which field and why."""


def _messages(exc: ValidationError) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in exc.message_dict.items())


@dataclass(frozen=True)
class LoadedModel:
    """A validated model, ready to score: features in order with their coefficients."""

    version: str
    features: tuple[str, ...]
    coefficients: tuple[int, ...]  # in units of 1e-9
    intercept: int  # in units of 1e-9

    @classmethod
    def from_record(cls, record: RiskModel) -> "LoadedModel":
        try:
            record.clean()
        except ValidationError as exc:
            raise RiskModelInvalid(
                f"Risk model {record.version or '(no version)'} cannot be used: {_messages(exc)}"
            ) from exc
        return cls(
            version=record.version,
            features=tuple(record.features),
            coefficients=tuple(round(float(c) * UNITS) for c in record.coefficients),
            intercept=round(float(record.intercept) * UNITS),
        )

    def score(self, values: dict[str, float]) -> float:
        """One patient's probability (the Python path)."""
        pairs = zip(self.features, self.coefficients, strict=True)
        units = self.intercept + sum(c * int(values[f]) for f, c in pairs)
        return 1.0 / (1.0 + math.exp(-(units / UNITS)))

    def top_factors(self, values: dict[str, float]) -> list[str]:
        """Features that raise this patient's risk most, largest contribution first."""
        pairs = zip(self.features, self.coefficients, strict=True)
        contributions = [(c * int(values[f]), i) for i, (f, c) in enumerate(pairs)]
        ranked = sorted((item for item in contributions if item[0] > 0), key=lambda item: (-item[0], item[1]))
        return [self.features[i] for _, i in ranked[:TOP_FACTORS]]

    def score_matrix(self, matrix: np.ndarray) -> np.ndarray:
        """Probabilities for many patients at once (rows = patients, columns = self.features)."""
        units = self.intercept + matrix.astype(np.int64) @ np.asarray(self.coefficients, dtype=np.int64)
        return 1.0 / (1.0 + np.exp(-(units / UNITS)))

    def top_factor_indexes(self, matrix: np.ndarray) -> np.ndarray:
        """Per row, the indexes of the top positive contributions (-1 where fewer), as top_factors."""
        contributions = matrix.astype(np.int64) * np.asarray(self.coefficients, dtype=np.int64)
        order = np.argsort(-contributions, axis=1, kind="stable")[:, :TOP_FACTORS]
        chosen = np.take_along_axis(contributions, order, axis=1)
        return np.where(chosen > 0, order, -1).astype(np.int16)


def active_model() -> RiskModel:
    record = RiskModel.objects.filter(is_active=True).first()
    if record is None:
        raise RiskModelInvalid("No risk model is active: run `manage.py calibrate_risk_model --activate` first.")
    return record


def active_band_configuration() -> BandConfiguration:
    config = BandConfiguration.objects.filter(is_active=True).first()
    if config is None:
        config = BandConfiguration()  # the defaults: 2%, 3%, 15%, the rest
    try:
        config.clean()
    except ValidationError as exc:
        raise BandConfigurationInvalid(f"Band configuration '{config.name}' cannot be used: {_messages(exc)}") from exc
    return config


def band_shares(config: BandConfiguration) -> dict[str, str]:
    return {
        Band.VERY_HIGH: str(config.very_high_percent),
        Band.HIGH: str(config.high_percent),
        Band.MODERATE: str(config.moderate_percent),
    }


def band_cutoffs(*, population: int, shares: dict[str, str]) -> tuple[int, int, int]:
    """The last rank of very high, high and moderate: rank r (1 = highest risk) is very high
    when r <= floor(population * 2%), and so on with the cumulative shares."""
    cumulative = Decimal(0)
    cutoffs = []
    for band in (Band.VERY_HIGH, Band.HIGH, Band.MODERATE):
        cumulative += Decimal(shares[band])
        cutoffs.append(int((Decimal(population) * cumulative / 100).to_integral_value(rounding=ROUND_FLOOR)))
    return cutoffs[0], cutoffs[1], cutoffs[2]


def band_for_rank(rank: int, cutoffs: tuple[int, int, int]) -> str:
    if rank <= cutoffs[0]:
        return Band.VERY_HIGH
    if rank <= cutoffs[1]:
        return Band.HIGH
    if rank <= cutoffs[2]:
        return Band.MODERATE
    return Band.LOW
