"""Celery tasks of the nightly risk run: thin, named, each calling one service in runs.py.

Every task is acks_late + reject_on_worker_lost: a worker killed mid-chunk leaves the message
on the broker and the chunk is redelivered; chunks are idempotent, so the result is the same.
Database hiccups (a restart) are retried with backoff, the nightly start's included; any other
error fails the chunk permanently, the chord's errback fails the run, and the published list
stays as it was.
"""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from caremodel.request_context import request_context
from stratification.services import runs

RELIABLE = {"acks_late": True, "reject_on_worker_lost": True}
RETRY_DB = {
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 5,
    "retry_backoff_max": 120,
    "max_retries": 5,
}


@shared_task(name="stratification.risk_run_start", **RELIABLE, **RETRY_DB)
def risk_run_start_task(triggered_by: str = "beat") -> int | None:
    with request_context(source="task"):
        run = runs.risk_run_start(triggered_by=triggered_by)
    return run.pk if run else None


@shared_task(name="stratification.risk_chunk_score", **RELIABLE, **RETRY_DB)
def risk_chunk_score_task(run_id: int, first_id: int, last_id: int) -> int:
    with request_context(source="task"):
        return runs.risk_chunk_score(run_id=run_id, first_id=first_id, last_id=last_id)


@shared_task(name="stratification.risk_run_finalise", **RELIABLE, **RETRY_DB)
def risk_run_finalise_task(run_id: int) -> str:
    with request_context(source="task"):
        return runs.risk_run_finalise(run_id=run_id).status


@shared_task(name="stratification.risk_run_fail", **RELIABLE)
def risk_run_fail_task(run_id: int, *errback_args: object) -> str:
    """The chord's errback: a chunk failed permanently, so the run fails now rather than waiting."""
    with request_context(source="task"):
        return runs.risk_run_fail(run_id=run_id, error="A chunk failed permanently; see the worker log.").status


@shared_task(name="stratification.risk_run_expire", **RELIABLE)
def risk_run_expire_task(run_id: int | None = None) -> int:
    """Beat sends it every few minutes (caremodel/schedules.py): every run past its deadline is
    failed, so a lost chord ends within minutes of its deadline. `run_id` is accepted and ignored,
    for messages sent by an earlier version."""
    with request_context(source="task"):
        return runs.risk_runs_expire_overdue()
