"""Fit the emergency-admission model on local history: `manage.py calibrate_risk_model [--as-of DATE] [--activate]`."""

from datetime import date, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from caremodel.request_context import request_context
from stratification.services.calibration import CalibrationImpossible, risk_model_calibrate


class Command(BaseCommand):
    help = "Fit the risk model (features as at a past date, outcome = emergency admission in the next 12 months)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            type=date.fromisoformat,
            default=None,
            help="Date the features are taken at (YYYY-MM-DD; default: one year ago, so the outcome year is complete).",
        )
        parser.add_argument("--model-version", default=None, help="Version label (default: a timestamp).")
        parser.add_argument("--activate", action="store_true", help="Make the new version the active model.")
        parser.add_argument(
            "--skip-without-history",
            action="store_true",
            help="Exit quietly (status 0) when the history cannot support a fit, e.g. a demo with no events yet.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = options["as_of"] or timezone.localdate() - timedelta(days=365)
        with request_context(source="command"):
            try:
                model = risk_model_calibrate(
                    as_of=as_of, version=options["model_version"], activate=options["activate"]
                )
            except CalibrationImpossible as exc:
                if options["skip_without_history"]:
                    self.stdout.write(self.style.WARNING(f"No risk model fitted: {exc}"))
                    return
                raise CommandError(str(exc)) from exc
        metrics = model.metrics
        fitted = model.fitted_on
        self.stdout.write(
            f"Risk model {model.version}: {fitted['patients']:,} patients, {fitted['events']:,} with an emergency "
            f"admission in the 12 months after {as_of:%d %B %Y}."
        )
        self.stdout.write(f"AUROC {metrics['auroc']:.3f} ({metrics['validation']}).")
        self.stdout.write("Calibration by decile of prediction (mean predicted vs observed rate):")
        for row in metrics["calibration"]:
            self.stdout.write(
                f"  {row['decile']:>2}  {row['patients']:>8,} patients  predicted {row['predicted']:.3f}  "
                f"observed {row['observed']:.3f}"
            )
        self.stdout.write(self.style.SUCCESS("Activated." if model.is_active else "Not activated (use --activate)."))
