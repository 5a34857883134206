"""Runs and models, for the administrator's runs page."""

from stratification.models import RiskModel, RiskRun


def recent_runs(*, limit: int = 30) -> list[RiskRun]:
    return list(RiskRun.objects.select_related("model").order_by("-started_at", "-id")[:limit])


def active_risk_model() -> RiskModel | None:
    return RiskModel.objects.filter(is_active=True).first()
