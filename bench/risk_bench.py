#!/usr/bin/env python
"""Benchmark of the nightly risk recompute on PostgreSQL with real Celery workers on Redis.

`make bench-risk` runs it. For each population size it builds (once) a synthetic population in
its own database with set-based SQL (bench/risk_population.sql), then measures in one run:
- end to end: risk_run_start -> chunks on real `celery -A caremodel worker -c 1` processes
  -> finaliser -> published (publication included), with 1 and with 2 workers;
- the reference lower bound: the same scores and bands as one INSERT ... SELECT with window
  functions into a new table, plus its indexes;
- their ratio, linearity from the smallest to the largest size, and the peak RSS of each worker
  process (main process plus its pool child, sampled with psutil).
Medians of RISK_BENCH_REPEATS repeats (default 3), each measuring 1 worker, 2 workers and the
reference back to back. Sizes: 100,000 and 1,000,000; 3,000,000 too
with RISK_BENCH_3M=1. Needs PostgreSQL (RISK_BENCH_PG, default postgres://postgres@127.0.0.1:5432)
and Redis (RISK_BENCH_REDIS, default redis://127.0.0.1:6379/6).
"""

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("RISK_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("RISK_BENCH_REDIS", "redis://127.0.0.1:6379/6")
REPEATS = int(os.environ.get("RISK_BENCH_REPEATS", "3"))
SIZES = [100_000, 1_000_000] + ([3_000_000] if os.environ.get("RISK_BENCH_3M") == "1" else [])
if os.environ.get("RISK_BENCH_SIZES"):  # e.g. "20000" for a quick check of the harness
    SIZES = [int(size) for size in os.environ["RISK_BENCH_SIZES"].split(",")]
PYTHON = sys.executable

# Fixed coefficients (a fitted model would do as well; the benchmark measures throughput).
BENCH_COEFFICIENTS = {
    "age_65_74": 0.4,
    "age_75_84": 0.8,
    "age_85_plus": 1.2,
    "male": 0.1,
    "emergency_admissions_12m": 0.7,
    "ae_attendances_12m": 0.25,
    "falls_12m": 0.3,
    "ltc_count": 0.15,
    "ltc_heart_failure": 0.5,
    "ltc_copd": 0.45,
    "ltc_dementia": 0.35,
    "ltc_ckd": 0.2,
    "ltc_cancer": 0.3,
    "efi_mild": 0.3,
    "efi_moderate": 0.6,
    "efi_severe": 0.9,
    "care_home": 0.6,
    "lives_alone": 0.15,
    "discharge_30d": 0.6,
    "discharge_90d": 0.3,
}


def _label(n: int) -> str:
    return f"{n // 1_000_000}m" if n >= 1_000_000 else f"{n // 1000}k"


def _env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"{PG}/{database}",
        "REDIS_URL": REDIS,
        "DJANGO_SETTINGS_MODULE": "caremodel.settings.local",
        "LOG_LEVEL": "WARNING",
    }


def build(n: int) -> tuple[str, float | None]:
    """Create and fill the database for n patients unless it is already there."""
    import psycopg

    database = f"caremodel_bench_risk_{_label(n)}"
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists:
            with psycopg.connect(f"{PG}/{database}") as conn:
                ready = conn.execute("SELECT to_regclass('bench_ready') IS NOT NULL").fetchone()[0]
            if ready:
                return database, None
            admin.execute(f'DROP DATABASE "{database}"')
        admin.execute(f'CREATE DATABASE "{database}"')
    subprocess.run([PYTHON, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=_env(database), check=True)
    started = time.perf_counter()
    sql = (ROOT / "bench" / "risk_population.sql").read_text()
    with psycopg.connect(f"{PG}/{database}", autocommit=True) as conn:
        # No parameters are passed, so the whole script goes as one simple query in one session.
        conn.execute(sql.replace("%(n)s", str(int(n))).replace("%%", "%"))
        conn.execute("CREATE TABLE bench_ready (n bigint)")
        conn.execute("INSERT INTO bench_ready VALUES (%s)", [n])
    return database, time.perf_counter() - started


class RssSampler(threading.Thread):
    """Peak resident memory of each worker process tree (main + pool children), every 50 ms."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        import psutil

        self.processes = [psutil.Process(pid) for pid in pids]
        self.peaks = [0] * len(pids)
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            for i, process in enumerate(self.processes):
                try:
                    tree = [process, *process.children(recursive=True)]
                    self.peaks[i] = max(self.peaks[i], max(p.memory_info().rss for p in tree))
                except Exception:  # noqa: S112 - a process ending between samples
                    continue
            time.sleep(0.05)


def measure(database: str, n: int) -> dict[str, object]:
    """Runs in a child process whose Django points at `database`."""
    os.environ.update(_env(database))
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from caremodel.celery import app
    from stratification.features import FEATURE_NAMES
    from stratification.models import RiskModel, RiskRun, RunStatus
    from stratification.services import runs

    RiskModel.objects.update(is_active=False)
    RiskModel.objects.update_or_create(
        version="bench-1",
        defaults={
            "features": list(FEATURE_NAMES),
            "coefficients": [BENCH_COEFFICIENTS.get(f, 0.0) for f in FEATURE_NAMES],
            "intercept": -4.5,
            "is_active": True,
        },
    )

    def start_worker(w: int) -> subprocess.Popen:
        command = [PYTHON, "-m", "celery", "-A", "caremodel", "worker", "-c", "1", "-n", f"bench{w}@%h"]
        command += ["--without-gossip", "--without-mingle", "--loglevel", "WARNING"]
        return subprocess.Popen(
            command, cwd=ROOT, env=_env(database), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )

    def wait_for(workers: int) -> None:
        deadline = time.monotonic() + 60
        while len(app.control.ping(timeout=1.0) or []) < workers:
            if time.monotonic() > deadline:
                raise RuntimeError("workers did not start")

    def timed_run(procs: list[subprocess.Popen]) -> tuple[float, int]:
        sampler = RssSampler([p.pid for p in procs])
        sampler.start()
        started = time.perf_counter()
        run = runs.risk_run_start(triggered_by="bench")
        if run is None:
            raise RuntimeError("a run is already under way")
        while (status := RiskRun.objects.values_list("status", flat=True).get(pk=run.pk)) == RunStatus.RUNNING:
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
        sampler.stop.set()
        sampler.join()
        if status != RunStatus.PUBLISHED:
            raise RuntimeError(f"run {run.pk} {status}: {RiskRun.objects.get(pk=run.pk).error}")
        connection.close()
        return elapsed, max(sampler.peaks)

    # The machine may be shared: each repeat measures 1 worker, 2 workers and the reference one
    # after the other, so the three figures of a repeat see the same load, and the ratios are
    # also given per repeat (their median beside the ratio of the medians).
    times: dict[str, list[float]] = {"1w": [], "2w": [], "reference": []}
    peaks: dict[str, list[int]] = {"1w": [], "2w": []}
    for _ in range(REPEATS):
        subprocess.run(
            [PYTHON, "-m", "celery", "-A", "caremodel", "purge", "-f"],
            cwd=ROOT,
            env=_env(database),
            check=True,
            capture_output=True,
        )
        procs = [start_worker(0)]
        try:
            wait_for(1)
            elapsed, peak = timed_run(procs)
            times["1w"].append(elapsed)
            peaks["1w"].append(peak)
            procs.append(start_worker(1))
            wait_for(2)
            elapsed, peak = timed_run(procs)
            times["2w"].append(elapsed)
            peaks["2w"].append(peak)
        finally:
            for proc in procs:
                proc.terminate()
            for proc in procs:
                proc.wait(timeout=60)
        # Keep only the published run and the one before it, as the retention would in time.
        runs.risk_runs_prune(now=timezone.now() + timedelta(days=3650))
        times["reference"].append(reference(connection))
    results: dict[str, object] = {"patients": n, "database": database}
    for workers in (1, 2):
        key = f"{workers}w"
        results[f"e2e_{key}_s"] = [round(t, 2) for t in times[key]]
        results[f"e2e_{key}_median_s"] = round(statistics.median(times[key]), 2)
        results[f"peak_rss_{key}_mb"] = round(max(peaks[key]) / 2**20, 1)
    results["reference_s"] = [round(t, 2) for t in times["reference"]]
    results["reference_median_s"] = round(statistics.median(times["reference"]), 2)
    for workers in (1, 2):
        key = f"{workers}w"
        results[f"ratio_{key}"] = round(results[f"e2e_{key}_median_s"] / results["reference_median_s"], 2)
        paired = [t / r for t, r in zip(times[key], times["reference"], strict=True)]
        results[f"ratio_{key}_paired_median"] = round(statistics.median(paired), 2)
    results["agreement"] = agreement(connection)
    return results


def reference_sql(connection: object) -> str:
    """The reference: same facts, features, scores and bands in one INSERT ... SELECT."""
    from datetime import date

    from django.utils import timezone

    from stratification import scoring_sql
    from stratification.efi import extra_deficit_mask
    from stratification.features import LTC_ORDER
    from stratification.scoring import UNITS, LoadedModel, active_model

    model = LoadedModel.from_record(active_model())
    as_of: date = timezone.localdate()
    facts = scoring_sql.facts_query(as_of=as_of, first_id=0, last_id=2**62).as_string(connection.connection)
    names = [
        "patient_id",
        "practice_id",
        "age",
        "male",
        "housebound",
        "lives_alone",
        "deficit_mask",
        "ltc_mask",
        "ea",
        "ae",
        "falls",
        "fall_ever",
        "fracture_ever",
        "care_home",
        "days",
    ]
    bit = {
        flag: extra_deficit_mask(
            **{k: k == flag for k in ("housebound", "fall_ever", "fracture_ever", "lives_alone", "care_home")}
        )
        for flag in ("housebound", "fall_ever", "fracture_ever", "lives_alone", "care_home")
    }
    efi_mask = "(f.deficit_mask | " + " | ".join(f"(f.{flag} * {mask})::bigint" for flag, mask in bit.items()) + ")"
    deficits = f"bit_count({efi_mask}::bit(64))::int"
    expressions = {
        "age_65_74": "(f.age BETWEEN 65 AND 74)::int",
        "age_75_84": "(f.age BETWEEN 75 AND 84)::int",
        "age_85_plus": "(f.age >= 85)::int",
        "male": "f.male",
        "emergency_admissions_12m": "least(f.ea, 5)",
        "ae_attendances_12m": "least(f.ae, 5)",
        "falls_12m": "least(f.falls, 5)",
        "ltc_count": "bit_count(f.ltc_mask::bit(32))::int",
        "efi_mild": "(25 * f.deficits > 108 AND 25 * f.deficits <= 216)::int",
        "efi_moderate": "(25 * f.deficits > 216 AND 25 * f.deficits <= 324)::int",
        "efi_severe": "(25 * f.deficits > 324)::int",
        "care_home": "f.care_home",
        "lives_alone": "f.lives_alone",
        "discharge_30d": "(f.days <= 30)::int",
        "discharge_90d": "(f.days <= 90)::int",
        **{f"ltc_{c}": f"((f.ltc_mask >> {i}) & 1)" for i, c in enumerate(LTC_ORDER)},
    }
    units = " + ".join(
        f"{c}::bigint * {expressions[name]}" for name, c in zip(model.features, model.coefficients, strict=True) if c
    )
    return f"""
        INSERT INTO bench_reference
        SELECT patient_id, practice_id, age, score, rank,
               CASE WHEN rank <= floor(n * 2.00 / 100) THEN 'very_high' WHEN rank <= floor(n * 5.00 / 100) THEN 'high'
                    WHEN rank <= floor(n * 20.00 / 100) THEN 'moderate' ELSE 'low' END,
               deficits, CASE WHEN 25 * deficits <= 108 THEN 'fit' WHEN 25 * deficits <= 216 THEN 'mild'
                              WHEN 25 * deficits <= 324 THEN 'moderate' ELSE 'severe' END
        FROM (
            SELECT s.*, row_number() OVER (ORDER BY score DESC, patient_id) AS rank, count(*) OVER ()::numeric AS n
            FROM (
                SELECT f.patient_id, NULLIF(f.practice_id, 0) AS practice_id, f.age, f.deficits,
                       1.0 / (1.0 + exp(-(({model.intercept}::bigint + {units})::float8 / {UNITS}))) AS score
                FROM (SELECT raw.*, {deficits.replace("f.", "raw.")} AS deficits
                      FROM ({facts}) AS raw({", ".join(names)}) OFFSET 0) f
            ) s
        ) ranked
    """


def reference(connection: object) -> float:
    sql = reference_sql(connection)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_reference")
        # The same session settings as the run's own queries: no JIT, memory for the sort and indexes.
        cursor.execute("SET jit = off")
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '256MB'")
        started = time.perf_counter()
        cursor.execute(
            "CREATE TABLE bench_reference (patient_id bigint NOT NULL, practice_id bigint, age smallint NOT NULL, "
            "score double precision NOT NULL, rank integer NOT NULL, band varchar(16) NOT NULL, "
            "efi_deficits smallint NOT NULL, efi_category varchar(16) NOT NULL)"
        )
        cursor.execute(sql)
        cursor.execute("ALTER TABLE bench_reference ADD PRIMARY KEY (patient_id)")
        cursor.execute("CREATE INDEX ON bench_reference (rank)")
        return time.perf_counter() - started


def agreement(connection: object) -> dict[str, object]:
    """The published run against the reference: same patients, scores to 1e-9, same bands."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE abs(s.score - r.score) > 1e-9), "
            "count(*) FILTER (WHERE s.band <> r.band), count(*) FILTER (WHERE s.rank <> r.rank), "
            "(SELECT count(*) FROM bench_reference) "
            "FROM stratification_riskscore s JOIN bench_reference r USING (patient_id) "
            "WHERE s.run_id = (SELECT run_id FROM stratification_publishedrun WHERE id = 1)"
        )
        joined, score_diff, band_diff, rank_diff, reference_rows = cursor.fetchone()
    return {
        "rows": joined,
        "reference_rows": reference_rows,
        "score_mismatches": score_diff,
        "band_mismatches": band_diff,
        "rank_mismatches": rank_diff,
    }


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "measure":
        print(json.dumps(measure(sys.argv[2], int(sys.argv[3]))))
        return
    report = []
    for n in SIZES:
        database, build_seconds = build(n)
        print(
            f"{n:,} patients in {database}" + (f" (built in {build_seconds:.0f}s)" if build_seconds else " (reused)"),
            flush=True,
        )
        out = subprocess.run(
            [PYTHON, __file__, "measure", database, str(n)],
            cwd=ROOT,
            env=_env(database),
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["build_s"] = round(build_seconds, 1) if build_seconds else None
        print(json.dumps(result), flush=True)
        report.append(result)
    if len(report) >= 2:
        small, large = report[0], report[-1]
        scale = large["patients"] / small["patients"]
        for workers in (1, 2):
            growth = large[f"e2e_{workers}w_median_s"] / small[f"e2e_{workers}w_median_s"]
            print(f"linearity {workers} worker(s): x{scale:.0f} patients -> x{growth:.1f} time", flush=True)
    print("summary:", flush=True)
    for r in report:
        print(
            f"  {r['patients']:>9,} patients: e2e 1 worker {r['e2e_1w_median_s']}s, 2 workers {r['e2e_2w_median_s']}s; "
            f"reference {r['reference_median_s']}s; ratio {r['ratio_1w']} (1w) / {r['ratio_2w']} (2w), "
            f"per repeat {r['ratio_1w_paired_median']} / {r['ratio_2w_paired_median']}; "
            f"peak worker RSS {r['peak_rss_1w_mb']} MB (1w) / {r['peak_rss_2w_mb']} MB (2w); "
            f"agreement {r['agreement']}",
            flush=True,
        )


if __name__ == "__main__":
    main()
