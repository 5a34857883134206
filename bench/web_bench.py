"""Web benchmark: gunicorn with production settings (DEBUG off, no SSL redirect) against the
bench database, driven over loopback by a small keep-alive HTTP client. Reports p50/p95 of the
practice patient list (page 1), a name search, the patient page, and a bare Django view.

    python bench/web_bench.py --requests 400 --concurrency 4

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--user", default="gp")
    args = parser.parse_args()
    call_command("collectstatic", interactive=False, verbosity=0)
    cookie = session_cookie(args.user)
    user = User.objects.get(username=args.user)
    practice = user.teams.filter(practices__isnull=False).values_list("practices__ods_code", flat=True).first()
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
        print(f"gunicorn {args.workers} workers; {args.requests} requests per target, {args.concurrency} concurrent")
        for name, path in targets.items():
            run_load(args.port, path, cookie, 40, args.concurrency)  # warm up
            started = time.perf_counter()
            timings, errors = run_load(args.port, path, cookie, args.requests, args.concurrency)
            elapsed = time.perf_counter() - started
            quantiles = statistics.quantiles(timings, n=100)
            print(
                f"{name:<34} p50 {statistics.median(timings):7.1f} ms  p95 {quantiles[94]:7.1f} ms  "
                f"{len(timings) / elapsed:6.0f} req/s  errors {errors}"
            )
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
