"""Import benchmark: a 1,000,000-row activity feed for ~100,000 patients, imported into PostgreSQL.

Reports rows per second for the whole service call (reading, validating every row, COPY and the
set-based insert with its audit), then for a re-run of the same file (which adds nothing), and,
in the same run, a reference: the same events, already resolved to patient and provider ids,
COPYed straight into the empty events table (its indexes and reference checks included), which
is what loading costs before any reading or validation.
Usage (DATABASE_URL names a PostgreSQL database for the benchmark):

    python bench/import_bench.py --patients 100000 --rows 1000000
"""

import argparse
import os
import random
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremodel.settings.local")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from caremodel.request_context import request_context  # noqa: E402
from patients.imports import import_activity  # noqa: E402

KINDS = ("ae_attendance", "ae_attendance", "emergency_admission", "elective_admission", "fall", "out_of_hours_contact")


def write_feed(path: Path, numbers: list[str], rows: int) -> None:
    rng = random.Random(7)  # noqa: S311 - synthetic data
    today = timezone.localdate()
    with path.open("w", encoding="utf-8") as out:
        out.write(
            "nhs_number,event_type,event_date,provider_code,source_id,length_of_stay,discharge_destination,with_fracture\n"
        )
        for n in range(rows):
            kind = KINDS[n % len(KINDS)]
            stay = str(rng.randrange(1, 20)) if kind.endswith("admission") else ""
            fracture = ("yes" if rng.random() < 0.1 else "no") if kind == "fall" else ""  # a fall says which
            when = today - timedelta(days=1 + rng.randrange(700))
            out.write(f"{rng.choice(numbers)},{kind},{when.isoformat()},RDM03,IMP{n:08d},{stay},,{fracture}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--file", default="/tmp/caremodel_bench_activity.csv")  # noqa: S108 - bench scratch file
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("The import benchmark needs DATABASE_URL to name a PostgreSQL database.")
    generator = [sys.executable, str(ROOT / "bench" / "web_data.py"), "--patients", str(args.patients), "--events", "0"]
    subprocess.run(generator, check=True)
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE patients_activityevent")
        cursor.execute("SELECT nhs_number FROM patients_patient")
        numbers = [row[0] for row in cursor.fetchall()]
    path = Path(args.file)
    started = time.perf_counter()
    write_feed(path, numbers, args.rows)
    print(f"wrote {args.rows:,} rows for {len(numbers):,} patients in {time.perf_counter() - started:.1f}s ({path})")
    data = path.read_bytes()
    # The machine may be shared: the load average and this process's own CPU time put the wall time in context.
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    bad_last_row = data + b"9434765918,fall,2024-01-01,RDM03,BAD1,,,no\n"
    runs = (
        ("strict, one bad row at the end (nothing applied)", bad_last_row, True),
        ("first import", data, False),
        ("re-run (nothing new)", data, False),
    )
    first_import = 0.0
    for label, payload, strict in runs:
        started, cpu = time.perf_counter(), time.process_time()
        with request_context(source="command"):
            report = import_activity(data=payload, user=None, strict=strict)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        first_import = first_import or (elapsed if report.events_added else 0.0)
        print(
            f"{label}: {report.rows:,} rows in {elapsed:.2f}s = {report.rows / elapsed:,.0f} rows/s "
            f"(Python CPU {cpu:.1f}s); added {report.events_added:,}, already present "
            f"{report.events_already_present:,}, rejected {len(report.rejected_lines):,}, applied {report.applied}"
        )
    loaded = reference_copy()
    print(
        f"reference, COPY of the resolved rows into the empty events table: {args.rows:,} rows in {loaded:.2f}s "
        f"= {args.rows / loaded:,.0f} rows/s; the import takes {first_import / loaded:.2f}x the reference"
    )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


def reference_copy() -> float:
    """Time a COPY of the events just imported, as stored, back into the emptied table."""
    columns = (
        "patient_id, kind, event_date, provider_id, source_system, source_id, length_of_stay_days, "
        "discharge_destination, with_fracture, recorded_at"
    )
    with connection.cursor() as cursor:
        buffer = bytearray()
        with cursor.copy(f"COPY (SELECT {columns} FROM patients_activityevent ORDER BY id) TO STDOUT") as copy:
            for chunk in copy:
                buffer += chunk
        cursor.execute("TRUNCATE patients_activityevent")
        cursor.execute("CHECKPOINT")
        started = time.perf_counter()
        with cursor.copy(f"COPY patients_activityevent ({columns}) FROM STDIN") as copy:
            copy.write(bytes(buffer))
        return time.perf_counter() - started


if __name__ == "__main__":
    main()
