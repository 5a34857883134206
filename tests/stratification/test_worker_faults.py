"""Nightly runs under faults, with real Celery worker subprocesses on PostgreSQL and a private
Redis that each test starts, kills and restarts freely: a worker killed mid-chunk (the chunk
is redelivered and the result equals a clean run's), the broker restarted mid-run (tasks
sent afterwards complete; the run publishes or fails cleanly), and two simultaneous starts
from two processes (the second exits without work)."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.db import connection

from stratification.models import PublishedRun, RiskRun, RiskRunChunk, RiskScore, RunStatus
from stratification.services import runs
from tests.stratification.factories import hand_model, random_population

REDIS_SERVER = shutil.which("redis-server") or ""

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only: real workers share the database"),
    pytest.mark.skipif(not REDIS_SERVER, reason="needs redis-server to start a private broker"),
]

ROOT = Path(__file__).resolve().parents[2]
COMPARED = ("score", "band", "rank", "practice_id", "age", "efi_category", "factors")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait(predicate: Callable[[], object], *, timeout: float, what: str, step: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


class PrivateRedis:
    """A throwaway redis-server on a free port, no persistence: a restart empties it."""

    def __init__(self, workdir: Path) -> None:
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.workdir = workdir
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
                "--maxmemory-policy",
                "noeviction",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait(self._answers, timeout=10, what="the private redis-server")

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


class Workers:
    """Real `celery worker` subprocesses, each in its own process group so SIGKILL takes the
    whole worker (parent and pool child) down, as a lost node would."""

    def __init__(self, redis: PrivateRedis, tmp_path: Path) -> None:
        self.redis = redis
        self.tmp_path = tmp_path
        self.chunk_log = tmp_path / "chunks.log"
        self.chunk_log.touch()
        self.processes: list[subprocess.Popen] = []
        self.logs: list[Path] = []

    def environment(self, **extra: str) -> dict[str, str]:
        db = connection.settings_dict
        login = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
        url = f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.stratification.worker_settings",
            "DATABASE_URL": url,
            "REDIS_URL": self.redis.url,
            "CACHE_KEY_PREFIX": "fault-test",
            "FAULT_CHUNK_LOG": str(self.chunk_log),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        env.update(extra)
        return env

    def start(self, **extra: str) -> subprocess.Popen:
        log = self.tmp_path / f"worker{len(self.processes)}.log"
        process = subprocess.Popen(  # noqa: S603 - fixed arguments
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.stratification.worker_app",
                "worker",
                "-c",
                "1",
                "--prefetch-multiplier",
                "1",
                "--pool",
                "prefork",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-l",
                "INFO",
                "-n",
                f"fault{len(self.processes)}@%h",
            ],
            cwd=ROOT,
            env=self.environment(**extra),
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes.append(process)
        self.logs.append(log)
        return process

    def kill(self, process: subprocess.Popen) -> None:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                    process.wait(timeout=10)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(process)

    def chunks_started(self) -> list[str]:
        return self.chunk_log.read_text(encoding="utf-8").splitlines()

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(encoding='utf-8')[-4000:]}" for log in self.logs)


@pytest.fixture
def workers(private_redis: PrivateRedis, tmp_path: Path) -> Iterator[Workers]:
    pool = Workers(private_redis, tmp_path)
    try:
        yield pool
    finally:
        pool.stop_all()


def _send(redis_url: str, name: str, *args: object) -> None:
    """Send a task by name through a client of the private broker (the test process's own
    Celery app stays eager)."""
    from celery import Celery

    client = Celery("fault-test-client", broker=redis_url, backend=redis_url, set_as_current=False)
    try:
        client.send_task(name, args=list(args))
    finally:
        client.close()


def _latest_run(*, after: int = 0) -> RiskRun | None:
    return RiskRun.objects.filter(pk__gt=after).order_by("-pk").first()


def _ended(run_id: int) -> RiskRun | None:
    run = RiskRun.objects.get(pk=run_id)
    return run if run.status != RunStatus.RUNNING else None


def _scores(run_id: int) -> dict[int, tuple]:
    return {row[0]: row[1:] for row in RiskScore.objects.filter(run_id=run_id).values_list("patient_id", *COMPARED)}


def _duplicates(run_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT patient_id FROM stratification_riskscore WHERE run_id = %s"
            " GROUP BY patient_id HAVING count(*) > 1) d",
            [run_id],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_chunk_is_redelivered_and_equals_a_clean_run(area, workers, start_run) -> None:
    hand_model()
    patients = random_population(practice=area.practice_a, count=60, seed=11)
    first = workers.start(FAULT_CHUNK_DELAY="1.5")
    try:
        _send(workers.redis.url, "stratification.risk_run_start", "fault-test")
        run = _wait(_latest_run, timeout=20, what="the run to start")
        _wait(workers.chunks_started, timeout=20, what="the first chunk to start")
        time.sleep(0.3)
        workers.kill(first)
        # The killed chunk's transaction died with its connection: nothing of it was kept.
        assert RiskRun.objects.get(pk=run.pk).status == RunStatus.RUNNING
        killed_during = len(workers.chunks_started())
        recorded_at_kill = RiskRunChunk.objects.filter(run_id=run.pk).count()
        assert recorded_at_kill < killed_during
        workers.start(FAULT_CHUNK_DELAY="0.2")
        faulted = _wait(lambda: _ended(run.pk), timeout=40, what="the run to end after the kill", step=0.2)
    except AssertionError:
        print(workers.output())
        raise
    assert faulted.status == RunStatus.PUBLISHED, (faulted.error, workers.output())
    assert faulted.chunk_count == 6
    # The killed chunk ran again on the fresh worker.
    started = [tuple(line.split()[1:]) for line in workers.chunks_started()]
    assert started.count(started[0]) >= 2, started
    assert RiskRunChunk.objects.filter(run_id=run.pk).count() == 6
    assert _duplicates(faulted.pk) == 0
    assert RiskScore.objects.filter(run_id=faulted.pk).count() == len(patients)
    workers.stop_all()

    clean = start_run(as_of=faulted.as_of, path=faulted.path)
    assert clean.status == RunStatus.PUBLISHED
    assert _scores(faulted.pk) == _scores(clean.pk)
    assert faulted.band_counts == clean.band_counts
    assert faulted.patient_count == clean.patient_count == len(patients)


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
        _send(workers.redis.url, "stratification.risk_run_start", "fault-test")
        run = _wait(lambda: _latest_run(after=before.pk), timeout=20, what="the run to start")
        _wait(workers.chunks_started, timeout=20, what="the first chunk to start")
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

        _wait(past_deadline, timeout=25, what="the run's deadline", step=0.3)
        assert {run_id for run_id, _ in published} <= {before.pk, run.pk}, published
        assert {count for _, count in published} == {len(patients)}, published
        # A task sent after the restart reaches the reconnected worker and ends the run.
        _send(workers.redis.url, "stratification.risk_run_expire", run.pk)
        lost = _wait(lambda: _ended(run.pk), timeout=20, what="the interrupted run to end", step=0.2)
        # And the next night's start, also sent after the restart, publishes a whole new list.
        _send(workers.redis.url, "stratification.risk_run_start", "fault-test")
        again = _wait(lambda: _latest_run(after=run.pk), timeout=20, what="a new run to start")
        after = _wait(lambda: _ended(again.pk), timeout=30, what="the new run to end", step=0.2)
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
    assert _duplicates(after.pk) == 0
    assert _scores(after.pk) == _scores(before.pk) or after.as_of != before.as_of


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
