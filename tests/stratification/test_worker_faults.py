"""Nightly runs under faults, with real Celery worker subprocesses on PostgreSQL and a private
Redis that each test starts, kills and restarts freely: a worker killed mid-chunk (the chunk
is redelivered and the result equals a clean run's), a chunk redelivered by a visibility
timeout shorter than its work (two deliveries at once, the same result), the broker restarted
mid-run (tasks sent afterwards complete; the run publishes or fails cleanly), and two
simultaneous starts from two processes (the second exits without work). The real settings
keep the visibility timeout above the task time limit, so production never redelivers a chunk
that is still running."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from stratification import tasks
from stratification.models import PublishedRun, RiskRun, RiskRunChunk, RiskScore, RunStatus
from stratification.services import runs
from tests.stratification.factories import hand_model, random_population
from tests.stratification.fault_harness import (
    REDIS_SERVER,
    ROOT,
    PrivateRedis,
    Workers,
    duplicates,
    scores,
    send_task,
    wait_for,
)

real_workers = pytest.mark.skipif(
    connection.vendor != "postgresql" or not REDIS_SERVER,
    reason="PostgreSQL-only (real workers share the database) and needs redis-server for a private broker",
)


@pytest.fixture
def private_redis(tmp_path: Path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def workers(private_redis: PrivateRedis, tmp_path: Path):
    pool = Workers(private_redis, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def _latest_run(*, after: int = 0) -> RiskRun | None:
    return RiskRun.objects.filter(pk__gt=after).order_by("-pk").first()


def _ended(run_id: int) -> RiskRun | None:
    run = RiskRun.objects.get(pk=run_id)
    return run if run.status != RunStatus.RUNNING else None


@real_workers
@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_chunk_is_redelivered_and_equals_a_clean_run(area, workers, start_run) -> None:
    hand_model()
    patients = random_population(practice=area.practice_a, count=60, seed=11)
    first = workers.start(FAULT_CHUNK_DELAY="1.5")
    try:
        send_task(workers.redis.url, "stratification.risk_run_start", "fault-test")
        run = wait_for(_latest_run, timeout=20, what="the run to start")
        wait_for(workers.chunks_started, timeout=20, what="the first chunk to start")
        time.sleep(0.3)
        workers.kill(first)
        # The killed chunk's transaction died with its connection: nothing of it was kept.
        assert RiskRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
        killed_during = len(workers.chunks_started())
        recorded_at_kill = RiskRunChunk.objects.filter(run_id=run.pk).count()
        assert recorded_at_kill < killed_during
        workers.start(FAULT_CHUNK_DELAY="0.2")
        faulted = wait_for(lambda: _ended(run.pk), timeout=40, what="the run to end after the kill", step=0.2)
    except AssertionError:
        print(workers.output())
        raise
    assert faulted.status == RunStatus.PUBLISHED, (faulted.error, workers.output())
    assert faulted.chunk_count == 6
    # The killed chunk ran again on the fresh worker.
    started = [event.chunk for event in workers.chunks_started()]
    assert started.count(started[0]) >= 2, started
    assert RiskRunChunk.objects.filter(run_id=run.pk).count() == 6
    assert duplicates(faulted.pk) == 0
    assert RiskScore.objects.filter(run_id=faulted.pk).count() == len(patients)
    workers.stop_all()

    clean = start_run(as_of=faulted.as_of, path=faulted.path)
    assert clean.status == RunStatus.PUBLISHED
    assert scores(faulted.pk) == scores(clean.pk)
    assert faulted.band_counts == clean.band_counts
    assert faulted.patient_count == clean.patient_count == len(patients)


@real_workers
@pytest.mark.django_db(transaction=True)
def test_a_chunk_redelivered_by_a_short_visibility_timeout_runs_twice_at_once_and_equals_a_clean_run(
    area, workers, start_run
) -> None:
    """Both deliveries finish, and the list is the same as a clean run's: the second waits for the
    first's commit, then replaces its rows (without that, both staged the chunk's rows and
    publication failed on the duplicates)."""
    hand_model()
    patients = random_population(practice=area.practice_a, count=60, seed=14)
    first_id = min(patient.pk for patient in patients)
    # The first delivery of the first chunk keeps its transaction open for 4 s after writing its
    # rows, twice the broker's visibility timeout: the broker hands the same message to the other
    # worker while the first is still at work on it. Every delivery also waits 1 s before it
    # starts, so chunks are still to do when both deliveries of the first have written.
    slow = {
        "FAULT_VISIBILITY_TIMEOUT": "2",
        "FAULT_CHUNK_DELAY": "1",
        "FAULT_CHUNK_HOLD": "4",
        "FAULT_HOLD_FIRST_ID": str(first_id),
    }
    workers.start(**slow)
    workers.start(**slow)
    try:
        send_task(workers.redis.url, "stratification.risk_run_start", "fault-test")
        run = wait_for(_latest_run, timeout=20, what="the run to start")
        faulted = wait_for(lambda: _ended(run.pk), timeout=60, what="the run to end", step=0.2)
        # Let the deliveries still under way finish before counting them.
        wait_for(
            lambda: len(workers.chunk_events("done")) >= len(workers.chunks_started()),
            timeout=30,
            what="every delivery to finish",
        )
    except AssertionError:
        print(workers.output())
        raise
    assert faulted.status == RunStatus.PUBLISHED, (faulted.error, workers.output())
    deliveries = [event for event in workers.chunks_started() if event.chunk[1] == first_id]
    finished: dict[int, float] = {}
    for event in workers.chunk_events("done"):
        if event.chunk[1] == first_id:
            finished.setdefault(event.pid, event.at)
    assert len(deliveries) >= 2, deliveries
    original, redelivered = deliveries[0], deliveries[1]
    assert redelivered.pid != original.pid, "the redelivery went to the other worker"
    assert redelivered.at < finished[original.pid], "the redelivery started while the first was at work"
    assert {event.state for event in workers.chunk_events("done")} == {"SUCCESS"}, workers.chunk_events("done")
    assert RiskRunChunk.objects.filter(run_id=run.pk).count() == faulted.chunk_count == 6
    assert duplicates(faulted.pk) == 0
    assert RiskScore.objects.filter(run_id=faulted.pk).count() == len(patients)
    workers.stop_all()

    clean = start_run(as_of=faulted.as_of, path=faulted.path)
    assert clean.status == RunStatus.PUBLISHED
    assert scores(faulted.pk) == scores(clean.pk)
    assert faulted.band_counts == clean.band_counts


SETTINGS_PROBE = """
import importlib, json, sys

from celery import Celery

module = importlib.import_module(sys.argv[1])
app = Celery(set_as_current=False)
app.config_from_object(module, namespace="CELERY")
print(json.dumps({
    "visibility_timeout": app.conf.broker_transport_options.get("visibility_timeout"),
    "time_limit": app.conf.task_time_limit,
    "soft_time_limit": app.conf.task_soft_time_limit,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "health_checks": module.DATABASES["default"].get("CONN_HEALTH_CHECKS"),
}))
"""


@pytest.mark.parametrize("module", ["caremodel.settings.base", "caremodel.settings.production"])
def test_the_real_settings_keep_the_visibility_timeout_above_the_task_time_limit(module: str) -> None:
    """A chunk still running when the visibility timeout passes would be delivered again to another
    worker; the time limit ends a task first. The longest retry countdown waits on the broker too.
    Read in a fresh process, as a worker of that deployment would, on PostgreSQL and Redis."""
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://caremodel@db.invalid:5432/caremodel",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "DJANGO_SECRET_KEY": "settings-probe-only-not-a-real-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "caremodel.invalid",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    probe = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", SETTINGS_PROBE, module], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert probe.returncode == 0, probe.stderr[-4000:]
    found = json.loads(probe.stdout.strip().splitlines()[-1])
    assert found["acks_late"] is True and found["reject_on_worker_lost"] is True
    assert found["time_limit"] and found["soft_time_limit"] < found["time_limit"]
    assert found["visibility_timeout"] > found["time_limit"], found
    assert found["visibility_timeout"] > tasks.RETRY_DB["retry_backoff_max"], found
    # Worker connections survive a database restart: a dead one is replaced before use.
    assert found["health_checks"] is True, found


@real_workers
@pytest.mark.django_db(transaction=True)
def test_the_broker_restarted_mid_run_tasks_sent_afterwards_complete_and_the_run_never_half_publishes(
    area, workers, start_run
) -> None:
    hand_model()
    patients = random_population(practice=area.practice_a, count=60, seed=12)
    before = start_run(path="sql")
    assert before.status == RunStatus.PUBLISHED
    workers.start(FAULT_CHUNK_DELAY="1.0", FAULT_RUN_DEADLINE_SECONDS="12")
    try:
        send_task(workers.redis.url, "stratification.risk_run_start", "fault-test")
        run = wait_for(lambda: _latest_run(after=before.pk), timeout=20, what="the run to start")
        wait_for(workers.chunks_started, timeout=20, what="the first chunk to start")
        workers.redis.stop()
        time.sleep(1.0)
        workers.redis.start()
        # The restarted broker is empty: whatever it held is lost, so the run either finishes
        # (nothing was lost) or stays unpublished until its deadline fails it.
        # Meanwhile a reader only ever finds a whole list published.
        published: list[tuple[int, int]] = []

        def past_deadline() -> bool:
            pointer = PublishedRun.objects.get(pk=1)
            published.append((pointer.run_id, RiskScore.objects.filter(run_id=pointer.run_id).count()))
            return RiskRun.objects.get(pk=run.pk).deadline_at.timestamp() < time.time()

        wait_for(past_deadline, timeout=25, what="the run's deadline", step=0.3)
        assert {run_id for run_id, _ in published} <= {before.pk, run.pk}, published
        assert {count for _, count in published} == {len(patients)}, published
        # A task sent after the restart reaches the reconnected worker and ends the run.
        send_task(workers.redis.url, "stratification.risk_run_expire", run.pk)
        lost = wait_for(lambda: _ended(run.pk), timeout=20, what="the interrupted run to end", step=0.2)
        # And the next night's start, also sent after the restart, publishes a whole new list.
        send_task(workers.redis.url, "stratification.risk_run_start", "fault-test")
        again = wait_for(lambda: _latest_run(after=run.pk), timeout=20, what="a new run to start")
        after = wait_for(lambda: _ended(again.pk), timeout=30, what="the new run to end", step=0.2)
    except AssertionError:
        print(workers.output())
        raise
    assert lost.status in (RunStatus.PUBLISHED, RunStatus.FAILED, RunStatus.SUPERSEDED)
    if lost.status == RunStatus.FAILED:
        assert RiskScore.objects.filter(run_id=lost.pk).count() == 0
    else:
        assert RiskScore.objects.filter(run_id=lost.pk).count() == len(patients)
    assert after.status == RunStatus.PUBLISHED, (after.error, workers.output())
    assert PublishedRun.objects.get(pk=1).run_id == after.pk
    assert RiskScore.objects.filter(run_id=after.pk).count() == len(patients)
    assert duplicates(after.pk) == 0
    assert scores(after.pk) == scores(before.pk) or after.as_of != before.as_of


RACE = """
import json, sys, time
from contextlib import contextmanager

import django

django.setup()
from stratification.services import runs

hold, start_at = float(sys.argv[1]), float(sys.argv[2])
locks = []
chunk_ranges, advisory_lock = runs.chunk_ranges, runs._advisory_lock


def slow_chunk_ranges(**kwargs):
    time.sleep(hold)  # the winner holds the lock while it plans
    return chunk_ranges(**kwargs)


@contextmanager
def observed_lock():
    with advisory_lock() as acquired:
        locks.append(acquired)
        yield acquired


runs.chunk_ranges, runs._advisory_lock = slow_chunk_ranges, observed_lock
while time.time() < start_at:
    time.sleep(0.002)
began = time.monotonic()
plan = runs.risk_run_plan(triggered_by="race")
print(json.dumps({"run": plan.run.pk if plan else None, "locks": locks, "seconds": time.monotonic() - began}))
"""


@real_workers
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_starts_from_two_processes_one_claims_and_the_other_exits_without_work(area, workers) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=20, seed=13)
    env = workers.environment()
    env.pop("REDIS_URL")
    start_at = time.time() + 6
    racers = [
        subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-c", RACE, "2.0", str(start_at)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    results = []
    for racer in racers:
        try:
            out, err = racer.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            racer.kill()
            raise
        assert racer.returncode == 0, err[-4000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    winners = [r for r in results if r["run"] is not None]
    losers = [r for r in results if r["run"] is None]
    assert len(winners) == 1 and len(losers) == 1, results
    assert winners[0]["locks"] == [True]
    # The second start found the lock held and exited at once, before claiming anything.
    assert losers[0]["locks"] == [False], results
    assert losers[0]["seconds"] < 1.5, results
    assert list(RiskRun.objects.values_list("pk", flat=True)) == [winners[0]["run"]]
    runs.risk_run_fail(run_id=winners[0]["run"], error="test over")
