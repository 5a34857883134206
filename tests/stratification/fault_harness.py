"""What the nightly-run fault tests share: a private redis-server and a private PostgreSQL
cluster that a test starts, kills and restarts freely, real `celery worker` subprocesses
(tests/stratification/worker_app.py), the log their chunks write, and the checks on a run's
scores. The shared database and broker are never restarted: faults happen to private ones."""

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
REDIS_SERVER = shutil.which("redis-server") or ""
# The columns a faulted run must share with a clean run, patient by patient.
SCORES_SQL = (
    "SELECT patient_id, score, band, rank, practice_id, age, efi_category, factors"
    " FROM stratification_riskscore WHERE run_id = %s"
)
DUPLICATES_SQL = (
    "SELECT count(*) FROM (SELECT patient_id FROM stratification_riskscore WHERE run_id = %s"
    " GROUP BY patient_id HAVING count(*) > 1) d"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate: Callable[[], object], *, timeout: float, what: str, step: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def scores(run_id: int) -> dict[int, tuple]:
    """A run's scores in the test database, by patient."""
    with connection.cursor() as cursor:
        cursor.execute(SCORES_SQL, [run_id])
        return {row[0]: row[1:] for row in cursor.fetchall()}


def duplicates(run_id: int) -> int:
    with connection.cursor() as cursor:
        cursor.execute(DUPLICATES_SQL, [run_id])
        return int(cursor.fetchone()[0])


class PrivateRedis:
    """A throwaway redis-server on a free port, no persistence: a restart empties it."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
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
        wait_for(self._answers, timeout=10, what="the private redis-server")

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


def postgres_bindir() -> Path | None:
    """The newest server binaries installed (Debian keeps them out of PATH), else PATH's; None if
    there are none, or if this is root and there is no `postgres` account to run a server as."""
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return None
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on a free port, started, stopped and crashed with pg_ctl.

    initdb refuses to run as root, so as root the server runs as the `postgres` OS user. The
    cluster trusts local connections and skips fsync: it lives for one test. A database is
    copied into it from the test database with pg_dump, so factories fill it as usual."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="caremodel-faults-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            account = pwd.getpwnam(self.user)
            os.chown(self.root, account.pw_uid, account.pw_gid)

    def _run(self, program: str, *args: str, timeout: float = 60) -> None:
        subprocess.run(  # noqa: S603 - fixed arguments
            [str(self.bindir / program), *args],
            user=self.user,
            cwd=self.root,
            check=True,
            capture_output=True,
            timeout=timeout,
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "-N")
        self.start()

    def start(self) -> None:
        # fsync can be off (the machine does not crash, only the server), but commits must reach the WAL
        # before they are acknowledged: a crash test reads what was committed before it.
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
            " -c synchronous_commit=on -c shared_buffers=32MB -c max_connections=40"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60", "start")

    def stop(self, *, mode: str = "fast") -> None:
        """fast: what a restart does (backends terminated, checkpoint); immediate: a crash
        (no checkpoint; the next start recovers from WAL and empties UNLOGGED tables)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.stop(mode="immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def copy_test_database(self, name: str = "caremodel") -> str:
        """Copy the test database as it is now (schema and rows) into a new database here."""
        self.execute(f'CREATE DATABASE "{name}"', database="postgres")
        db = connection.settings_dict
        source = {
            **os.environ,
            "PGHOST": db["HOST"] or "127.0.0.1",
            "PGPORT": str(db["PORT"] or 5432),
            "PGUSER": db["USER"],
            "PGPASSWORD": db.get("PASSWORD") or "",
            "PGDATABASE": db["NAME"],
        }
        dump = subprocess.Popen(  # noqa: S603 - fixed arguments
            [str(self.bindir / "pg_dump"), "--no-owner", "--no-privileges"],
            env=source,
            stdout=subprocess.PIPE,
        )
        restore = subprocess.run(  # noqa: S603 - fixed arguments
            [str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", self.url(name)],
            stdin=dump.stdout,
            capture_output=True,
            timeout=120,
        )
        dump.stdout.close()
        assert dump.wait(timeout=120) == 0, "pg_dump of the test database failed"
        assert restore.returncode == 0, restore.stderr.decode()[-2000:]
        return name

    def execute(self, statement: str, params: list | None = None, *, database: str = "caremodel") -> list[tuple]:
        """One statement on a new connection (so a restart in between is harmless)."""
        with psycopg.connect(self.url(database), autocommit=True, connect_timeout=3) as conn:
            cursor = conn.execute(statement, params)
            return cursor.fetchall() if cursor.description else []

    def try_execute(self, statement: str, params: list | None = None) -> list[tuple] | None:
        """The same, or None while the server is down or restarting."""
        try:
            return self.execute(statement, params)
        except psycopg.OperationalError:
            return None


@dataclass(frozen=True)
class ChunkEvent:
    """One line of the chunk log that worker_app.py writes: a delivery starting or finishing."""

    event: str
    pid: int
    at: float
    chunk: tuple[int, int, int]
    health_checks: bool | None = None
    state: str | None = None


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

    def environment(self, *, database_url: str | None = None, **extra: str) -> dict[str, str]:
        """The workers' environment; the test database unless `database_url` names another."""
        if database_url is None:
            db = connection.settings_dict
            login = f"{db['USER']}:{db['PASSWORD']}" if db.get("PASSWORD") else db["USER"]
            database_url = f"postgres://{login}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.stratification.worker_settings",
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url,
            "CACHE_KEY_PREFIX": "fault-test",
            "FAULT_CHUNK_LOG": str(self.chunk_log),
            "PYTHONPATH": str(ROOT),
        }
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        env.update(extra)
        return env

    def start(self, *, database_url: str | None = None, **extra: str) -> subprocess.Popen:
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
            env=self.environment(database_url=database_url, **extra),
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

    def chunk_events(self, event: str | None = None) -> list[ChunkEvent]:
        events = []
        for line in self.chunk_log.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            data["chunk"] = tuple(data["chunk"])
            if event is None or data["event"] == event:
                events.append(ChunkEvent(**data))
        return events

    def chunks_started(self) -> list[ChunkEvent]:
        return self.chunk_events("start")

    def log_text(self) -> str:
        return "\n".join(log.read_text(encoding="utf-8") for log in self.logs)

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(encoding='utf-8')[-4000:]}" for log in self.logs)


def send_task(redis_url: str, name: str, *args: object) -> None:
    """Send a task by name through a client of the private broker (the test process's own
    Celery app stays eager)."""
    from celery import Celery

    client = Celery("fault-test-client", broker=redis_url, backend=redis_url, set_as_current=False)
    try:
        client.send_task(name, args=list(args))
    finally:
        client.close()
