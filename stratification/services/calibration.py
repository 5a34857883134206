"""Fitting a risk model on local history, and measuring how well it discriminates and calibrates.

Features are taken as at a past date (`as_of`); the outcome is an emergency admission in the
12 months after it. Discrimination (AUROC) and calibration (observed against predicted rate
by decile of prediction) come from 5-fold cross-validated predictions, so they describe how
the model does on people it was not fitted to; the stored coefficients come from a final fit
on everyone. Both are kept with the model version and shown to administrators.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.db import transaction
from django.utils import timezone

from patients.models import ActivityEvent, EventKind
from stratification import scoring_python, scoring_sql, storage
from stratification.features import FEATURE_NAMES, feature_vector
from stratification.models import RiskModel
from stratification.services import runs

FOLDS = 5
DECILES = 10


class CalibrationImpossible(Exception):
    """The history cannot support a fit; the message says what is missing."""


@dataclass(frozen=True)
class TrainingSet:
    patient_ids: np.ndarray
    matrix: np.ndarray
    outcome: np.ndarray


def training_set(*, as_of: date) -> TrainingSet:
    """Features as at `as_of` for everyone eligible then; outcome = emergency admission in the next 12 months."""
    ids: list[np.ndarray] = []
    blocks: list[np.ndarray] = []
    for first_id, last_id in runs.chunk_ranges(size=50_000):
        if storage.is_postgresql():
            facts = scoring_sql.read_facts(as_of=as_of, first_id=first_id, last_id=last_id)
            matrix, _ = scoring_sql.feature_matrix(facts, FEATURE_NAMES)
            ids.append(facts["patient_id"].astype(np.int64))
            blocks.append(matrix)
        else:
            rows = list(scoring_python.facts_for_range(as_of=as_of, first_id=first_id, last_id=last_id))
            ids.append(np.array([r.patient_id for r in rows], dtype=np.int64))
            vectors = [feature_vector(r) for r in rows]
            blocks.append(
                np.array([[v[name] for name in FEATURE_NAMES] for v in vectors], dtype=np.float64).reshape(
                    -1, len(FEATURE_NAMES)
                )
            )
    patient_ids = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
    matrix = np.vstack(blocks) if blocks else np.zeros((0, len(FEATURE_NAMES)))
    admitted = set(
        ActivityEvent.objects.filter(
            kind=EventKind.EMERGENCY_ADMISSION, event_date__gt=as_of, event_date__lte=as_of + timedelta(days=365)
        ).values_list("patient_id", flat=True)
    )
    outcome = np.fromiter((pid in admitted for pid in patient_ids.tolist()), dtype=bool, count=len(patient_ids))
    return TrainingSet(patient_ids=patient_ids, matrix=matrix, outcome=outcome)


def calibration_by_decile(predicted: np.ndarray, outcome: np.ndarray) -> list[dict[str, float]]:
    """Observed against mean predicted rate in ten equal groups ordered by prediction."""
    order = np.argsort(predicted, kind="stable")
    table = []
    for i, group in enumerate(np.array_split(order, DECILES), start=1):
        if len(group) == 0:
            continue
        table.append(
            {
                "decile": i,
                "patients": len(group),
                "predicted": round(float(predicted[group].mean()), 4),
                "observed": round(float(outcome[group].mean()), 4),
            }
        )
    return table


def risk_model_calibrate(*, as_of: date, version: str | None = None, activate: bool = False) -> RiskModel:
    """Fit, measure and store a new model version (optionally making it the active one)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    data = training_set(as_of=as_of)
    events, patients = int(data.outcome.sum()), len(data.outcome)
    if patients == 0:
        raise CalibrationImpossible(
            f"No patients were alive and registered on {as_of:%d %B %Y}; choose a later --as-of."
        )
    if events < FOLDS or patients - events < FOLDS:
        raise CalibrationImpossible(
            f"{events} of {patients:,} patients had an emergency admission in the 12 months after {as_of:%d %B %Y}: "
            f"at least {FOLDS} with and {FOLDS} without are needed. Load activity history, or choose another --as-of."
        )
    estimator = LogisticRegression(max_iter=2000, C=1.0)
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=2014)
    predicted = cross_val_predict(estimator, data.matrix, data.outcome, cv=folds, method="predict_proba")[:, 1]
    fitted = estimator.fit(data.matrix, data.outcome)
    metrics = {
        "auroc": round(float(roc_auc_score(data.outcome, predicted)), 4),
        "validation": f"{FOLDS}-fold cross-validated predictions",
        "calibration": calibration_by_decile(predicted, data.outcome),
        "observed_rate": round(events / patients, 4),
    }
    created = timezone.now()
    with transaction.atomic():
        model = RiskModel.objects.create(
            version=version or f"{created:%Y%m%d-%H%M%S}-asof-{as_of:%Y%m%d}",
            description="Logistic regression fitted on local history with calibrate_risk_model.",
            features=list(FEATURE_NAMES),
            coefficients=[round(float(c), 10) for c in fitted.coef_[0]],
            intercept=round(float(fitted.intercept_[0]), 10),
            fitted_on={
                "as_of": as_of.isoformat(),
                "patients": patients,
                "events": events,
                "outcome": "emergency admission within 12 months",
            },
            metrics=metrics,
        )
        if activate:
            risk_model_activate(model=model)
    return model


def risk_model_activate(*, model: RiskModel) -> RiskModel:
    """Make this version the one nightly runs use; validated first, so a bad record is never activated."""
    from stratification.scoring import LoadedModel

    LoadedModel.from_record(model)
    with transaction.atomic():
        RiskModel.objects.filter(is_active=True).exclude(pk=model.pk).update(is_active=False)
        model.is_active = True
        model.save(update_fields=["is_active"])
    return model
