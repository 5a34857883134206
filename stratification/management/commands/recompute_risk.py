"""Recompute every patient's risk now: `manage.py recompute_risk [--as-of DATE] [--path sql|python] [--workers]`.

Without --workers the chunks run in this process with a progress bar; with --workers they are
fanned out to the Celery workers exactly as the nightly job does, and the bar follows them.
"""

import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from caremodel.request_context import request_context
from stratification.models import RiskModel, RiskRun, RiskRunChunk, RunStatus
from stratification.scoring import BandConfigurationInvalid, RiskModelInvalid
from stratification.services import runs


class Command(BaseCommand):
    help = "Recompute risk scores, bands and frailty for the whole population and publish them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default today).")
        parser.add_argument("--path", choices=["sql", "python"], default=None, help="Default: sql on PostgreSQL.")
        parser.add_argument("--workers", action="store_true", help="Fan the chunks out to Celery workers.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for logs).")
        parser.add_argument(
            "--skip-without-model", action="store_true", help="Exit quietly (status 0) when no risk model is active."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["skip_without_model"] and not RiskModel.objects.filter(is_active=True).exists():
            self.stdout.write(self.style.WARNING("No risk model is active, so no risk run (see calibrate_risk_model)."))
            return
        with request_context(source="command"):
            try:
                run = self._via_workers(options) if options["workers"] else self._inline(options)
            except (RiskModelInvalid, BandConfigurationInvalid, ValueError) as exc:
                raise CommandError(str(exc)) from exc
        run.refresh_from_db()
        if run.status != RunStatus.PUBLISHED:
            raise CommandError(f"Risk run {run.pk} {run.status}: {run.error}")
        counts = ", ".join(f"{band.replace('_', ' ')} {n:,}" for band, n in run.band_counts.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"Risk run {run.pk} published: {run.patient_count:,} patients "
                f"in {run.duration_seconds:.1f}s ({counts})."
            )
        )

    def _inline(self, options: dict[str, Any]) -> RiskRun:
        plan = runs.risk_run_plan(triggered_by="recompute_risk", as_of=options["as_of"], path=options["path"])
        if plan is None:
            raise CommandError("A risk run is already under way; not starting another.")
        try:
            for low, high in tqdm(plan.ranges, unit="chunk", disable=options["no_progress"]):
                runs.risk_chunk_score(run_id=plan.run.pk, first_id=low, last_id=high)
        except Exception as exc:
            runs.risk_run_fail(run_id=plan.run.pk, error=f"{type(exc).__name__}: {exc}")
            raise
        return runs.risk_run_finalise(run_id=plan.run.pk)

    def _via_workers(self, options: dict[str, Any]) -> RiskRun:
        run = runs.risk_run_start(triggered_by="recompute_risk", as_of=options["as_of"], path=options["path"])
        if run is None:
            raise CommandError("A risk run is already under way; not starting another.")
        with tqdm(total=run.chunk_count, unit="chunk", disable=options["no_progress"]) as bar:
            while True:
                run.refresh_from_db()
                done = RiskRunChunk.objects.filter(run=run).count()
                bar.update(done - bar.n)
                if run.status != RunStatus.RUNNING:
                    return run
                time.sleep(0.2)
