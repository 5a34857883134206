"""The lifecycle of a risk run: claim, chunk and fan out; score chunks; publish atomically;
fail; expire; prune. Shaped after a scheduled-deletion fan-out: a scheduler claims the work
under a lock and enqueues one idempotent task per unit, and a finaliser closes the run.

Publication is one transaction: the run's scores are attached (PostgreSQL) or already
present under the run's key (SQLite), and the single `PublishedRun` row is pointed at the
run. Readers follow the pointer, so they see the complete old list or the complete new one.
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.models import Sum
from django.utils import timezone

from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditOutcome
from stratification import conf, publish_sql, scoring_python, scoring_sql, storage
from stratification.models import PublishedRun, RiskRun, RiskRunChunk, RunStatus
from stratification.scoring import LoadedModel, active_band_configuration, active_model, band_cutoffs, band_shares

logger = logging.getLogger(__name__)

# Any constant shared by every process of the deployment; "RISK" in ASCII.
ADVISORY_LOCK_KEY = 0x5249534B


@dataclass(frozen=True)
class RunPlan:
    run: RiskRun
    ranges: list[tuple[int, int]]


@contextmanager
def _advisory_lock() -> Iterator[bool]:
    """pg_try_advisory_lock on PostgreSQL (never waits); elsewhere the one-running constraint guards alone."""
    if not storage.is_postgresql():
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
        acquired = bool(cursor.fetchone()[0])
    try:
        yield acquired
    finally:
        if acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def chunk_ranges(*, size: int) -> list[tuple[int, int]]:
    """Patient id ranges of about `size` patients each. Ids are dense (a sequence), so the id
    span is split evenly from min, max and count (index-only, no scan of rows); gaps only make
    some chunks smaller, and every id in [min, max] falls in exactly one range."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM patients_patient")
        low, high, count = cursor.fetchone()
    if not count:
        return []
    chunks = max(1, -(-int(count) // int(size)))
    span = int(high) - int(low) + 1
    step = -(-span // chunks)
    return [(start, min(start + step - 1, int(high))) for start in range(int(low), int(high) + 1, step)]


def risk_run_plan(*, triggered_by: str, as_of: date | None = None, path: str | None = None) -> RunPlan | None:
    """Claim a new run and split the population into chunks, or None if a run is already under way.
    Raises RiskModelInvalid / BandConfigurationInvalid with a clear message before claiming anything."""
    risk_runs_expire_overdue()
    model = active_model()
    LoadedModel.from_record(model)
    bands = active_band_configuration()
    chosen_path = path or conf.scoring_path()
    if chosen_path == "sql" and not storage.is_postgresql():
        raise ValueError("The sql scoring path needs PostgreSQL; use the python path on this database.")
    with _advisory_lock() as acquired:
        if not acquired:
            logger.info("risk run not started: another start holds the lock")
            return None
        if RiskRun.objects.filter(status=RunStatus.RUNNING).exists():
            logger.info("risk run not started: a run is already under way")
            return None
        try:
            with transaction.atomic():
                run = RiskRun.objects.create(
                    model=model,
                    band_configuration=band_shares(bands),
                    as_of=as_of or timezone.localdate(),
                    path=chosen_path,
                    triggered_by=triggered_by,
                    deadline_at=timezone.now() + timedelta(seconds=conf.run_deadline_seconds()),
                )
        except IntegrityError:
            logger.info("risk run not started: a run is already under way")
            return None
        ranges = chunk_ranges(size=conf.chunk_size())
        run.chunk_count = len(ranges)
        run.save(update_fields=["chunk_count"])
        if chosen_path == "sql":
            scoring_sql.create_staging(run_id=run.pk)
        else:
            storage.create_partition(run_id=run.pk)
    return RunPlan(run=run, ranges=ranges)


def risk_run_start(*, triggered_by: str, as_of: date | None = None, path: str | None = None) -> RiskRun | None:
    """The nightly entry point: plan the run, then fan the chunks out to the workers."""
    plan = risk_run_plan(triggered_by=triggered_by, as_of=as_of, path=path)
    if plan is None:
        return None
    transaction.on_commit(lambda: _dispatch(plan))
    return plan.run


def _dispatch(plan: RunPlan) -> None:
    from celery import chord, group

    from stratification import tasks

    run_id = plan.run.pk
    # The backstop for a lost chord is the periodic `risk-run-expire` entry of caremodel/schedules.py,
    # not a task sent now with a countdown: on Redis a message waiting past the visibility timeout
    # is delivered again every hour it waits.
    try:
        if not plan.ranges:
            tasks.risk_run_finalise_task.delay(run_id)
        else:
            header = group(tasks.risk_chunk_score_task.si(run_id, low, high) for low, high in plan.ranges)
            body = tasks.risk_run_finalise_task.si(run_id).on_error(tasks.risk_run_fail_task.si(run_id))
            chord(header)(body)
    except Exception as exc:  # an eager run raises here; a queued one reports through the errback
        logger.warning("risk run %s failed: %s", run_id, type(exc).__name__)
        risk_run_fail(run_id=run_id, error=f"{type(exc).__name__}: {exc}")


def risk_chunk_score(*, run_id: int, first_id: int, last_id: int) -> int:
    """Score one chunk. Idempotent: scores are replaced per (run, patient range), the chunk recorded once."""
    run = RiskRun.objects.select_related("model").get(pk=run_id)
    if run.status != RunStatus.RUNNING:
        return 0
    model = LoadedModel.from_record(run.model)
    with transaction.atomic():
        _wait_for_other_deliveries(run_id=run_id, first_id=first_id)
        # Scores and the chunk record commit together, so rows from an earlier delivery exist
        # only if its record does: a first delivery skips the delete.
        redelivered = RiskRunChunk.objects.filter(run=run, first_id=first_id).exists()
        if run.path == "sql":
            count = scoring_sql.score_chunk(
                run_id=run_id,
                model=model,
                as_of=run.as_of,
                first_id=first_id,
                last_id=last_id,
                # The run that is published now is the one this run will follow: only the one
                # running run can move the pointer (the finaliser checks it did not move).
                previous_run_id=PublishedRun.objects.filter(pk=1).values_list("run_id", flat=True).first(),
                replace=redelivered,
            )
        else:
            count = scoring_python.score_chunk(run=run, model=model, first_id=first_id, last_id=last_id)
        # A redelivered chunk rewrites its scores and its record (the count may differ if
        # patients arrived in between), so the chunk records always add up to the scores.
        RiskRunChunk.objects.bulk_create(
            [RiskRunChunk(run=run, first_id=first_id, last_id=last_id, patients=count)],
            update_conflicts=True,
            unique_fields=["run", "first_id"],
            update_fields=["last_id", "patients"],
        )
    return count


def _wait_for_other_deliveries(*, run_id: int, first_id: int) -> None:
    """Two deliveries of one chunk can run at once (the broker hands a message to another worker
    when its visibility timeout passes while the first is still at work). Each delivery takes a
    transaction lock on its chunk first, so the second waits for the first to commit and then
    sees its record and replaces its rows, instead of adding a second copy of them. SQLite
    serialises writers anyway. The two-key lock space is apart from the starter's one-key lock."""
    if not storage.is_postgresql():
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s::int4, hashint8(%s::int8))", [run_id, first_id])


class RunIncomplete(Exception):
    pass


def risk_run_finalise(*, run_id: int) -> RiskRun:
    """Rank, band and publish the run in one transaction; the old list stays until it commits."""
    try:
        with transaction.atomic():
            run = RiskRun.objects.select_for_update().select_related("model").get(pk=run_id)
            if run.status != RunStatus.RUNNING:
                return run
            done = RiskRunChunk.objects.filter(run=run).count()
            if done != run.chunk_count:
                raise RunIncomplete(f"{done} of {run.chunk_count} chunks were scored")
            pointer = PublishedRun.objects.select_for_update().filter(pk=1).first()
            previous_id = pointer.run_id if pointer else None
            if pointer and pointer.published_at > run.started_at:
                # The chunks compared against the list published when they ran; another must not
                # have been published since (it cannot while this run is the one running run).
                raise RunIncomplete(f"run {previous_id} was published while this run was scoring")
            population = _population(run)
            cutoffs = band_cutoffs(population=population, shares=run.band_configuration)
            if run.path == "sql":
                written = publish_sql.publish_partition(
                    run_id=run.pk, features=tuple(run.model.features), cutoffs=cutoffs
                )
                if written != population:
                    # Staging is UNLOGGED: a database crash empties it, while the chunk records
                    # survive. Rolling back here leaves the old list published.
                    raise RunIncomplete(f"only {written} of {population} scored patients were still staged")
            else:
                scoring_python.rank_run(run=run, cutoffs=cutoffs, previous_run_id=previous_id)
            now = timezone.now()
            PublishedRun.objects.update_or_create(
                pk=1, defaults={"run": run, "previous_run_id": previous_id, "published_at": now}
            )
            if previous_id:
                RiskRun.objects.filter(pk=previous_id).update(status=RunStatus.SUPERSEDED)
            run.status = RunStatus.PUBLISHED
            run.finished_at = now
            run.patient_count = population
            run.band_counts = {
                "very_high": cutoffs[0],
                "high": cutoffs[1] - cutoffs[0],
                "moderate": cutoffs[2] - cutoffs[1],
                "low": population - cutoffs[2],
            }
            run.save(update_fields=["status", "finished_at", "patient_count", "band_counts"])
            audit_record(
                user=None,
                action=AuditAction.CREATE,
                outcome=AuditOutcome.ALLOWED,
                resource="risk_run",
                detail={"run": run.pk, "patients": population, "model": run.model.version},
            )
    except RunIncomplete as exc:
        return risk_run_fail(run_id=run_id, error=str(exc))
    try:
        risk_runs_prune()
    except Exception as exc:  # pruning is housekeeping: the next run tries again
        logger.warning("pruning old risk runs failed: %s", type(exc).__name__)
    return run


def _population(run: RiskRun) -> int:
    """Patients scored: the chunk records add up to the rows written, without scanning them."""
    return int(RiskRunChunk.objects.filter(run=run).aggregate(total=Sum("patients"))["total"] or 0)


def risk_run_fail(*, run_id: int, error: str) -> RiskRun:
    """Mark the run failed and drop what it wrote; the published list is untouched."""
    with transaction.atomic():
        run = RiskRun.objects.select_for_update().get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return run
        run.status = RunStatus.FAILED
        run.error = error[:2000]
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "finished_at"])
    try:
        storage.drop_run_scores(run_id=run_id)
        RiskRun.objects.filter(pk=run_id).update(storage_dropped=True)
    except Exception as exc:  # the prune retries it
        logger.warning("dropping the scores of failed run %s failed: %s", run_id, type(exc).__name__)
    logger.warning("risk run %s failed", run_id)
    return run


def risk_runs_expire_overdue(*, now: datetime | None = None) -> int:
    """Fail every running run past its deadline (a lost chunk or finaliser never blocks the next night)."""
    overdue = RiskRun.objects.filter(status=RunStatus.RUNNING, deadline_at__lt=now or timezone.now())
    ids = list(overdue.values_list("pk", flat=True))
    for run_id in ids:
        risk_run_fail(run_id=run_id, error="The run did not finish by its deadline.")
    return len(ids)


def risk_runs_prune(*, now: datetime | None = None) -> int:
    """Drop the scores of runs older than the retention period, never the published run or the one before."""
    pointer = PublishedRun.objects.filter(pk=1).first()
    keep = {pointer.run_id, pointer.previous_run_id} if pointer else set()
    cutoff = (now or timezone.now()) - timedelta(days=conf.retention_days())
    old = (
        RiskRun.objects.filter(storage_dropped=False, started_at__lt=cutoff)
        .exclude(status=RunStatus.RUNNING)
        .exclude(pk__in=[k for k in keep if k])
    )
    dropped = 0
    for run_id in old.values_list("pk", flat=True):
        storage.drop_run_scores(run_id=run_id)
        RiskRun.objects.filter(pk=run_id).update(storage_dropped=True)
        dropped += 1
    return dropped
