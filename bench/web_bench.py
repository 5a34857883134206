"""Web benchmark: gunicorn with production settings (DEBUG off, no SSL redirect) against the
bench database, driven over loopback by a small keep-alive HTTP client. Reports p50/p95 of the
practice patient list (page 1), a name search, the patient page, a bare Django view and, once a
risk run is published, the practice's risk list (page 1).

    python bench/web_bench.py --requests 400 --concurrency 4

With --during-run (needs REDIS_URL) it also measures each page while a full nightly risk run is
in progress on the same database: real Celery workers (`celery -A caremodel worker -c 1`, as
many as --run-workers) score and publish one run after another, started through the nightly
entry point, and only requests that start and end within one run count. Each page is measured
quiet and then during runs, back to back, and the ratio of the two p95s is reported.

DATABASE_URL must name the database filled by bench/web_data.py.
"""

import argparse
import http.client
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
ENV = {
    **os.environ,
    "DJANGO_SETTINGS_MODULE": "caremodel.settings.production",
    "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-production-use-0123456789"),
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
}
os.environ.update(ENV)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.core.management import call_command  # noqa: E402

from caremodel.models import User  # noqa: E402
from patients.models import ActivityEvent, Patient  # noqa: E402
from stratification.models import PublishedRun  # noqa: E402


def session_cookie(username: str) -> str:
    user = User.objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def run_load(port: int, path: str, cookie: str, requests: int, concurrency: int) -> tuple[list[float], int]:
    timings: list[float] = []
    errors = [0]
    lock = threading.Lock()
    per_worker = requests // concurrency

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        local: list[float] = []
        for _ in range(per_worker):
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            local.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return timings, errors[0]


def figures(timings: list[float], elapsed: float, errors: int) -> dict[str, float]:
    quantiles = statistics.quantiles(timings, n=100)
    return {
        "p50": statistics.median(timings),
        "p95": quantiles[94],
        "rate": len(timings) / elapsed,
        "errors": errors,
        "n": len(timings),
    }


def quiet_figures(port: int, path: str, cookie: str, requests: int, concurrency: int) -> dict[str, float]:
    run_load(port, path, cookie, 40, concurrency)  # warm up
    started = time.perf_counter()
    timings, errors = run_load(port, path, cookie, requests, concurrency)
    return figures(timings, time.perf_counter() - started, errors)


class NightlyRuns:
    """Full nightly risk runs on real Celery workers, one after another: each is started through
    the nightly entry point (runs.risk_run_start), scored by the workers and published by the
    finaliser. `state()` says which run is under way, if any, for the load threads to check."""

    def __init__(self, count: int, redis_url: str) -> None:
        self.count = count
        self.env = {**ENV, "REDIS_URL": redis_url}
        self.processes: list[subprocess.Popen] = []
        self.generation = 0
        self.active = False
        self.seconds: list[float] = []

    def start_workers(self) -> None:
        from caremodel.celery import app

        subprocess.run(
            [sys.executable, "-m", "celery", "-A", "caremodel", "purge", "-f"],
            cwd=ROOT,
            env=self.env,
            check=True,
            capture_output=True,
        )
        for w in range(self.count):
            command = [sys.executable, "-m", "celery", "-A", "caremodel", "worker", "-c", "1", "-n", f"webbench{w}@%h"]
            command += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
            self.processes.append(
                subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            )
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=1.0) or []) < self.count:
            if time.monotonic() > deadline:
                raise RuntimeError("the Celery workers did not start")

    def stop_workers(self) -> None:
        for process in self.processes:
            process.terminate()
        for process in self.processes:
            process.wait(timeout=60)

    def state(self) -> tuple[int, bool]:
        return self.generation, self.active

    def run_one(self) -> float:
        """Start a run, wait until it is published, then drop all but the last two runs' scores
        (between runs, so the drop is never inside a measured window). Returns its seconds."""
        from datetime import timedelta

        from django.db import connection
        from django.utils import timezone

        from stratification.models import RiskRun, RunStatus
        from stratification.services import runs

        started = time.perf_counter()
        run = runs.risk_run_start(triggered_by="bench")
        if run is None:
            raise RuntimeError("a risk run is already under way")
        self.generation += 1
        self.active = True
        while (status := RiskRun.objects.values_list("status", flat=True).get(pk=run.pk)) == RunStatus.RUNNING:
            time.sleep(0.02)
        self.active = False
        seconds = time.perf_counter() - started
        if status != RunStatus.PUBLISHED:
            raise RuntimeError(f"risk run {run.pk} {status}: {RiskRun.objects.get(pk=run.pk).error}")
        runs.risk_runs_prune(now=timezone.now() + timedelta(days=3650))
        connection.close()
        return seconds


def during_run_figures(
    port: int, path: str, cookie: str, requests: int, concurrency: int, nightly: NightlyRuns
) -> dict[str, float]:
    """Requests from `concurrency` keep-alive clients for as many runs as it takes to collect
    `requests` timings that started and ended within one run."""
    timings: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = threading.Event()

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while not stop.is_set():
            before = nightly.state()
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
            response = conn.getresponse()
            response.read()
            elapsed = (time.perf_counter() - started) * 1000
            if before[1] and nightly.state() == before:
                with lock:
                    timings.append(elapsed)
                    errors[0] += response.status != 200
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    seconds: list[float] = []
    try:
        while len(timings) < requests:
            seconds.append(nightly.run_one())
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    nightly.seconds += seconds
    result = figures(timings, sum(seconds), errors[0])
    result["runs"] = len(seconds)
    return result


def ensure_risk_model() -> None:
    """The benchmark's fixed model (bench/risk_bench.py's coefficients) unless one is active."""
    from risk_bench import BENCH_COEFFICIENTS

    from stratification.features import FEATURE_NAMES
    from stratification.models import RiskModel

    if RiskModel.objects.filter(is_active=True).exists():
        return
    RiskModel.objects.update_or_create(
        version="bench-1",
        defaults={
            "features": list(FEATURE_NAMES),
            "coefficients": [BENCH_COEFFICIENTS.get(f, 0.0) for f in FEATURE_NAMES],
            "intercept": -4.5,
            "is_active": True,
        },
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--user", default="gp")
    parser.add_argument("--during-run", action="store_true", help="also measure during nightly risk runs")
    parser.add_argument("--run-workers", type=int, default=2, help="Celery workers scoring the runs")
    args = parser.parse_args()
    nightly = None
    if args.during_run:
        if not os.environ.get("REDIS_URL"):
            parser.error("--during-run needs REDIS_URL (the Celery broker of the risk run's workers)")
        nightly = NightlyRuns(args.run_workers, os.environ["REDIS_URL"])
    call_command("collectstatic", interactive=False, verbosity=0)
    cookie = session_cookie(args.user)
    user = User.objects.get(username=args.user)
    practice_pk, practice = (
        user.teams.filter(practices__isnull=False).values_list("practices__pk", "practices__ods_code").first()
    )
    events = ActivityEvent.objects.filter(patient__registered_practice__ods_code=practice)
    patient_id = events.values_list("patient_id", flat=True).first()
    public_id = Patient.objects.get(pk=patient_id).public_id
    targets = {
        "bare view (/health/)": "/health/",
        f"practice list page 1 ({practice})": f"/patients/?practice={practice}",
        "name search (smith)": "/patients/?q=smith",
        "patient page": f"/patients/{public_id}/",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "caremodel.wsgi",
            "--bind",
            f"127.0.0.1:{args.port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=ENV,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/health/")
                break
            except OSError:
                time.sleep(0.2)
        if nightly:
            nightly.start_workers()
            ensure_risk_model()
            for _ in range(2):  # yesterday's list, for the pages and the run's markers; warm workers
                nightly.run_one()
            alone = nightly.run_one()
            print(
                f"{Patient.objects.count():,} patients; a risk run on {args.run_workers} Celery workers "
                f"with no web load: {alone:.1f} s"
            )
        if PublishedRun.objects.filter(pk=1).exists():
            targets[f"risk list page 1 ({practice})"] = f"/risk/?practice={practice_pk}"
        print(
            f"gunicorn {args.workers} workers; {args.requests} requests per target, {args.concurrency} concurrent; "
            f"load average {os.getloadavg()[0]:.1f}"
        )
        ratios = []
        for name, path in targets.items():
            quiet = quiet_figures(args.port, path, cookie, args.requests, args.concurrency)
            print(
                f"{name:<34} p50 {quiet['p50']:7.1f} ms  p95 {quiet['p95']:7.1f} ms  "
                f"{quiet['rate']:6.0f} req/s  errors {quiet['errors']}",
                flush=True,
            )
            if nightly:
                busy = during_run_figures(args.port, path, cookie, args.requests, args.concurrency, nightly)
                ratios.append(busy["p95"] / quiet["p95"])
                print(
                    f"{'  during a risk run':<34} p50 {busy['p50']:7.1f} ms  p95 {busy['p95']:7.1f} ms  "
                    f"{busy['rate']:6.0f} req/s  errors {busy['errors']}  p95 x{ratios[-1]:.2f} quiet "
                    f"({busy['n']} requests over {busy['runs']} runs)",
                    flush=True,
                )
        if nightly:
            print(
                f"risk runs under web load: {len(nightly.seconds)}, median {statistics.median(nightly.seconds):.1f} s "
                f"(alone {alone:.1f} s); p95 ratio during / quiet: median x{statistics.median(ratios):.2f}, "
                f"max x{max(ratios):.2f}; load average {os.getloadavg()[0]:.1f}"
            )
    finally:
        if nightly:
            nightly.stop_workers()
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
