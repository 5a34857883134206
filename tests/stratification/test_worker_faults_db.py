"""Nightly runs while PostgreSQL restarts or crashes under real Celery workers.

Each test copies the test database (an area, a population, a model and a published run) into
a private PostgreSQL cluster that it starts, stops and crashes with pg_ctl, and points real
worker subprocesses and a private redis-server at it; the shared server is never touched. A
chunk keeps its transaction open for a moment after writing its rows (worker_app.py), so a
restart meets chunks in flight. Each test compares what the workers published with a clean
run of the same data in the test database, patient by patient.
"""

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.db import connection

from stratification.models import RunStatus
from stratification.storage import staging_name
from tests.stratification.factories import hand_model, random_population
from tests.stratification.fault_harness import (
    DUPLICATES_SQL,
    REDIS_SERVER,
    ROOT,
    SCORES_SQL,
    PrivatePostgres,
    PrivateRedis,
    Workers,
    postgres_bindir,
    scores,
    send_task,
    wait_for,
)

BINDIR = postgres_bindir()
pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql" or not REDIS_SERVER or BINDIR is None,
    reason="PostgreSQL-only; needs redis-server and the PostgreSQL server binaries for private servers",
)

# Celery's line for an automatic retry, e.g. "...risk_chunk_score[<id>] retry: Retry in 3s: OperationalError(...)".
RETRY = re.compile(r"Task (stratification\.\w+)\[([\w-]+)\] retry: Retry in (\d+)s: (\w+)")
# Chunks committed to a run, and chunks holding their transaction open (worker_app.py's pg_sleep).
PROGRESS = (
    "SELECT (SELECT count(*) FROM stratification_riskrunchunk WHERE run_id = %s),"
    " (SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND left(query, 15) = 'SELECT pg_sleep')"
)


@pytest.fixture
def database(tmp_path: Path):
    assert BINDIR is not None
    cluster = PrivatePostgres(BINDIR)
    try:
        cluster.init()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
def workers(tmp_path: Path):
    redis = PrivateRedis(tmp_path)
    redis.start()
    pool = Workers(redis, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()
        redis.stop()


RUN_FIELDS = ("status", "error", "as_of", "path", "chunk_count", "patient_count", "band_counts")


def _run(database: PrivatePostgres, run_id: int) -> dict[str, object]:
    [row] = database.execute(
        "SELECT status, error, as_of, path, chunk_count, patient_count, band_counts FROM stratification_riskrun"
        " WHERE id = %s",
        [run_id],
    )
    return dict(zip(RUN_FIELDS, row, strict=True))


def _latest_run_id(database: PrivatePostgres, *, after: int) -> int | None:
    rows = database.try_execute("SELECT max(id) FROM stratification_riskrun WHERE id > %s", [after])
    return rows[0][0] if rows else None


def _scores(database: PrivatePostgres, run_id: int) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in database.execute(SCORES_SQL, [run_id])}


class Reader:
    """Polls what a risk list page would read: the pointer, then that run's rows. Returns the
    run once it has ended; meanwhile records every (published run, rows) pair seen."""

    def __init__(self, database: PrivatePostgres, run_id: int) -> None:
        self.database, self.run_id = database, run_id
        self.seen: set[tuple[int, int]] = set()

    def ended(self) -> dict[str, object] | None:
        rows = self.database.try_execute(
            "SELECT p.run_id, (SELECT count(*) FROM stratification_riskscore s WHERE s.run_id = p.run_id),"
            " (SELECT status FROM stratification_riskrun WHERE id = %s)"
            " FROM stratification_publishedrun p WHERE p.id = 1",
            [self.run_id],
        )
        if not rows:  # the server is down or restarting
            return None
        published, count, status = rows[0]
        self.seen.add((published, count))
        return _run(self.database, self.run_id) if status != RunStatus.RUNNING else None


@dataclass(frozen=True)
class Retry:
    task: str
    task_id: str
    countdown: int
    error: str


def _retries(workers: Workers) -> list[Retry]:
    found = RETRY.findall(workers.log_text())
    return [Retry(task, task_id, int(seconds), error) for task, task_id, seconds, error in found]


def _backed_off(retries: list[Retry]) -> bool:
    """Celery's exponential backoff with jitter: a task's n-th retry (from 0) waits a random
    countdown of at most 5 s x 2^n, never over 120 s. Two workers' logs may list one task's
    retries out of order, so each task's countdowns are taken in ascending order."""
    countdowns: dict[str, list[int]] = {}
    for retry in retries:
        countdowns.setdefault(retry.task_id, []).append(retry.countdown)
    return all(
        seconds <= min(120, 5 * 2**n) for waits in countdowns.values() for n, seconds in enumerate(sorted(waits))
    )


def _chunks_in_flight_after_some_committed(database: PrivatePostgres, run_id: int, committed: int) -> bool:
    rows = database.try_execute(PROGRESS, [run_id])
    return bool(rows) and rows[0][0] >= committed and rows[0][1] >= 1


@pytest.mark.django_db(transaction=True)
def test_postgresql_restarted_mid_run_chunks_retry_with_backoff_and_the_whole_list_is_published(
    area, database, workers, start_run
) -> None:
    """A restart (pg_ctl stop -m fast, 3 s down, start) while chunks hold open transactions: the
    server ends their sessions, the rows they wrote are rolled back, their tasks retry with
    backoff on new connections, and the run publishes a list equal to a clean run's."""
    hand_model()
    patients = random_population(practice=area.practice_a, count=60, seed=21)
    before = start_run(path="sql")
    database.copy_test_database()
    slow = {"FAULT_CHUNK_HOLD": "1", "FAULT_VISIBILITY_TIMEOUT": "300"}
    workers.start(database_url=database.url("caremodel"), **slow)
    workers.start(database_url=database.url("caremodel"), **slow)
    try:
        send_task(workers.redis.url, "stratification.risk_run_start", "fault-test")
        run_id = wait_for(lambda: _latest_run_id(database, after=before.pk), timeout=30, what="the run to start")
        wait_for(
            lambda: _chunks_in_flight_after_some_committed(database, run_id, 1),
            timeout=30,
            what="a chunk done and another in flight",
            step=0.05,
        )
        database.stop(mode="fast")
        time.sleep(3)
        database.start()
        reader = Reader(database, run_id)
        restarted = wait_for(reader.ended, timeout=90, what="the run to end after the restart", step=0.2)
    except AssertionError:
        print(workers.output())
        raise
    assert restarted["status"] == RunStatus.PUBLISHED, (restarted["error"], workers.output())
    # A reader only ever found a whole list: the old one or the new one.
    assert {count for _, count in reader.seen} == {len(patients)}, reader.seen
    assert {published for published, _ in reader.seen} <= {before.pk, run_id}, reader.seen
    # The chunks caught by the restart failed with a database error and were retried with backoff.
    retried = [retry for retry in _retries(workers) if retry.task == "stratification.risk_chunk_score"]
    assert retried, workers.output()
    assert {retry.error for retry in retried} <= {"OperationalError", "InterfaceError"}, retried
    assert _backed_off(retried), retried
    starts = [event.chunk for event in workers.chunks_started() if event.chunk[0] == run_id]
    assert len(starts) > len(set(starts)) == restarted["chunk_count"] == 6
    assert database.execute(DUPLICATES_SQL, [run_id]) == [(0,)]
    assert database.execute("SELECT run_id FROM stratification_publishedrun WHERE id = 1") == [(run_id,)]
    assert database.execute("SELECT count(*) FROM stratification_riskrunchunk WHERE run_id = %s", [run_id]) == [(6,)]
    # Every task ran with its connection health-checked before use.
    assert {event.health_checks for event in workers.chunks_started()} == {True}
    workers.stop_all()

    clean = start_run(as_of=restarted["as_of"], path="sql")
    assert clean.status == RunStatus.PUBLISHED
    assert _scores(database, run_id) == scores(clean.pk)
    assert restarted["band_counts"] == clean.band_counts


@pytest.mark.django_db(transaction=True)
def test_postgresql_crashed_mid_run_never_publishes_a_partial_list(area, database, workers, start_run) -> None:
    """A crash (pg_ctl stop -m immediate, then start: recovery from WAL) after some chunks are
    done and while others are in flight. Recovery empties the UNLOGGED staging table while the
    chunk records survive, so the rows of the chunks done before the crash are gone: the run must
    not publish what is left. It is failed, its tables are dropped, and the old list stays
    published, whole; or, if it publishes, the list is whole and equals a clean run's."""
    hand_model()
    patients = random_population(practice=area.practice_a, count=60, seed=22)
    before = start_run(path="sql")
    database.copy_test_database()
    slow = {"FAULT_CHUNK_HOLD": "1", "FAULT_VISIBILITY_TIMEOUT": "300"}
    workers.start(database_url=database.url("caremodel"), **slow)
    workers.start(database_url=database.url("caremodel"), **slow)
    try:
        send_task(workers.redis.url, "stratification.risk_run_start", "fault-test")
        run_id = wait_for(lambda: _latest_run_id(database, after=before.pk), timeout=30, what="the run to start")
        wait_for(
            lambda: _chunks_in_flight_after_some_committed(database, run_id, 2),
            timeout=30,
            what="two chunks done and another in flight",
            step=0.05,
        )
        database.stop(mode="immediate")
        time.sleep(2)
        database.start()
        # Chunks hold their transactions for 1 s, so nothing new is committed yet: the crash
        # emptied staging although chunk records say some chunks were done.
        [(staged,)] = database.execute(f"SELECT count(*) FROM {staging_name(run_id)}")  # noqa: S608 - name from an int
        [(recorded, _)] = database.execute(PROGRESS, [run_id])
        assert recorded >= 2 and staged == 0, (recorded, staged)
        reader = Reader(database, run_id)
        crashed = wait_for(reader.ended, timeout=90, what="the run to end after the crash", step=0.2)
    except AssertionError:
        print(workers.output())
        raise
    assert {count for _, count in reader.seen} == {len(patients)}, reader.seen
    assert {published for published, _ in reader.seen} <= {before.pk, run_id}, reader.seen
    assert _retries(workers) and _backed_off(_retries(workers)), workers.output()
    workers.stop_all()
    if crashed["status"] == RunStatus.FAILED:
        assert crashed["error"], crashed
        assert database.execute("SELECT run_id FROM stratification_publishedrun WHERE id = 1") == [(before.pk,)]
        assert _scores(database, before.pk) == scores(before.pk)
        assert database.execute(
            "SELECT count(*) FROM pg_tables WHERE tablename IN (%s, %s)",
            [f"stratification_riskscore_r{run_id}", f"stratification_riskstage_r{run_id}"],
        ) == [(0,)]
        assert database.execute("SELECT status FROM stratification_riskrun WHERE id = %s", [before.pk]) == [
            (RunStatus.PUBLISHED,)
        ]
    else:
        assert crashed["status"] == RunStatus.PUBLISHED, crashed
        clean = start_run(as_of=crashed["as_of"], path="sql")
        assert _scores(database, run_id) == scores(clean.pk)


@pytest.mark.django_db(transaction=True)
def test_postgresql_down_when_the_nightly_start_arrives_the_start_retries_and_publishes(
    area, database, workers, start_run
) -> None:
    """The server is down (stopped) when beat's start reaches a worker: the start task retries
    with backoff until the server is back, then the run publishes a whole list, once."""
    hand_model()
    random_population(practice=area.practice_a, count=30, seed=23)
    before = start_run(path="sql")
    database.copy_test_database()
    workers.start(database_url=database.url("caremodel"), FAULT_VISIBILITY_TIMEOUT="300")
    try:
        database.stop(mode="fast")
        send_task(workers.redis.url, "stratification.risk_run_start", "fault-test")
        wait_for(
            lambda: [retry for retry in _retries(workers) if retry.task == "stratification.risk_run_start"],
            timeout=30,
            what="the start to retry",
            step=0.2,
        )
        database.start()
        run_id = wait_for(lambda: _latest_run_id(database, after=before.pk), timeout=60, what="the run to start")
        started = wait_for(Reader(database, run_id).ended, timeout=60, what="the run to end", step=0.2)
    except AssertionError:
        print(workers.output())
        raise
    assert started["status"] == RunStatus.PUBLISHED, (started["error"], workers.output())
    assert database.execute("SELECT count(*) FROM stratification_riskrun WHERE id > %s", [before.pk]) == [(1,)]
    workers.stop_all()
    clean = start_run(as_of=started["as_of"], path="sql")
    assert _scores(database, run_id) == scores(clean.pk)


HEALTH_PROBE = """
import json, sys

import django

django.setup()
from django.core.signals import request_finished, request_started
from django.db import connection

connection.settings_dict["CONN_HEALTH_CHECKS"] = sys.argv[1] == "on"


def request():
    request_started.send(sender=None)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    except Exception as exc:
        return type(exc).__name__
    finally:
        request_finished.send(sender=None)


print(json.dumps({"max_age": connection.settings_dict["CONN_MAX_AGE"], "pid": request()}), flush=True)
sys.stdin.readline()  # the server restarts meanwhile
print(json.dumps({"pid": request()}), flush=True)
"""


def test_a_connection_kept_between_requests_is_checked_and_replaced_after_a_restart(database) -> None:
    """Web processes keep their connection between requests (CONN_MAX_AGE); a restart kills it.
    With the production settings' CONN_HEALTH_CHECKS the next request finds it dead before use
    and connects again. The control, the same process with the checks off, fails that request.
    (Workers need no check: Celery closes a worker's connection before and after every task.)"""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caremodel.settings.production",
        "DJANGO_SECRET_KEY": "health-probe-only-not-a-real-secret-key-0123456789",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database.url("postgres"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    probes = {
        checks: subprocess.Popen(  # noqa: S603 - fixed arguments
            [sys.executable, "-c", HEALTH_PROBE, checks],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for checks in ("on", "off")
    }
    try:
        before = {checks: json.loads(probe.stdout.readline() or "null") for checks, probe in probes.items()}
        database.stop(mode="fast")
        database.start()
        after = {}
        for checks, probe in probes.items():
            out, err = probe.communicate("restarted\n", timeout=30)
            assert probe.returncode == 0, err[-4000:]
            after[checks] = json.loads(out.strip().splitlines()[-1])
    finally:
        for probe in probes.values():
            if probe.poll() is None:
                probe.kill()
    assert before["on"]["max_age"] > 0, before
    assert isinstance(before["on"]["pid"], int) and isinstance(before["off"]["pid"], int), before
    assert isinstance(after["on"]["pid"], int) and after["on"]["pid"] != before["on"]["pid"], after
    assert after["off"]["pid"] in ("OperationalError", "InterfaceError"), after
