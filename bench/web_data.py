# ruff: noqa: E501 - bench-only SQL assembled from constants of this file; long generated SQL lines
"""Fill a PostgreSQL bench database with N patients and M activity events, set-based.

The ORM would take hours at this size; INSERT ... SELECT generate_series keeps the
generation inside PostgreSQL. Names repeat from short lists (some accented) so that
name searches return realistic numbers of hits. Usage (DATABASE_URL names the bench DB):

    python bench/web_data.py --patients 1000000 --events 10000000
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremodel.settings.local")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from demo.population import FAMILY as DEMO_FAMILY  # noqa: E402
from demo.population import GIVEN_FEMALE as DEMO_GIVEN_FEMALE  # noqa: E402
from demo.population import GIVEN_MALE as DEMO_GIVEN_MALE  # noqa: E402
from patients.search_keys import name_search_key  # noqa: E402

# The demo's names, plus accented ones so the benchmark searches exercise accent folding.
FAMILY = [*DEMO_FAMILY, "Brontë", "Pérez", "Müller", "Nuñez", "Łukasz", "Dennis", "Alan", "Jack", "Noah"]
GIVEN = [*DEMO_GIVEN_FEMALE, *DEMO_GIVEN_MALE, "Zoë", "José", "Ağca", "Renée", "Siân", "Eoin"]
KINDS = [
    "ae_attendance",
    "ae_attendance",
    "ae_attendance",
    "emergency_admission",
    "emergency_admission",
    "elective_admission",
    "out_of_hours_contact",
    "out_of_hours_contact",
    "fall",
    "discharge",
]


def _array(values: list[str]) -> str:
    return "ARRAY[" + ",".join("'" + v.replace("'", "''") + "'" for v in values) + "]::text[]"


def run(sql: str, label: str) -> None:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(sql)
    print(f"{label}: {time.perf_counter() - started:.1f}s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--patients", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=10_000_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    call_command("load_demo", patients=0, quiet_logins=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM patients_patient")
        if cursor.fetchone()[0] >= args.patients:
            print("patients already loaded")
            return
        if args.patients == 0:
            return
        cursor.execute("SELECT array_agg(id ORDER BY ods_code) FROM caremodel_organisation WHERE kind = 'gp_practice'")
        practices = cursor.fetchone()[0]
        cursor.execute("SELECT array_agg(id) FROM caremodel_organisation WHERE kind = 'acute_trust'")
        providers = cursor.fetchone()[0]
    family, given = _array(FAMILY), _array(GIVEN)
    family_keys = _array([name_search_key(v) for v in FAMILY])
    given_keys = _array([name_search_key(v) for v in GIVEN])
    practice_array = "ARRAY[" + ",".join(map(str, practices)) + "]::bigint[]"
    provider_array = "ARRAY[" + ",".join(map(str, providers)) + "]::bigint[]"
    run("SET session_replication_role = replica", "fk triggers off for the load")
    run(
        f"""
        INSERT INTO patients_patient (public_id, nhs_number, given_name, family_name, date_of_birth, sex, postcode,
            registered_practice_id, housebound, consent_to_share, interpreter_needed, preferred_language,
            communication_needs, version, created_at, updated_at, search_family, search_given)
        SELECT md5(n::text)::uuid, nhs, ({given})[1 + abs(hashint4(n + 7)) % {len(GIVEN)}], ({family})[1 + abs(hashint4(n)) % {len(FAMILY)}],
            DATE '1925-01-01' + ((n * 37) % 36500), CASE WHEN n % 2 = 0 THEN 'female' ELSE 'male' END,
            'TN' || (23 + n % 5) || ' ' || (n % 9 + 1) || chr(65 + n % 26) || chr(65 + (n / 26) % 26),
            ({practice_array})[1 + n % {len(practices)}], false, 'unknown', false, '', '', 1, now(), now(),
            ({family_keys})[1 + abs(hashint4(n)) % {len(FAMILY)}], ({given_keys})[1 + abs(hashint4(n + 7)) % {len(GIVEN)}]
        FROM (
            SELECT n, nine || check_digit AS nhs FROM (
                SELECT n, nine, (11 - (
                    substr(nine,1,1)::int*10 + substr(nine,2,1)::int*9 + substr(nine,3,1)::int*8 +
                    substr(nine,4,1)::int*7 + substr(nine,5,1)::int*6 + substr(nine,6,1)::int*5 +
                    substr(nine,7,1)::int*4 + substr(nine,8,1)::int*3 + substr(nine,9,1)::int*2) % 11) % 11 AS check_digit
                FROM (SELECT n, (900000000 + n)::text AS nine FROM generate_series(1, {args.patients * 12 // 10}) AS n) AS a
            ) AS b WHERE check_digit < 10 LIMIT {args.patients}
        ) AS numbered
        ON CONFLICT DO NOTHING
        """,
        f"{args.patients:,} patients",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM patients_patient")
        low, high = cursor.fetchone()
    kinds = _array(KINDS)
    chunk = 2_000_000
    for start in range(0, args.events, chunk):
        stop = min(start + chunk, args.events)
        run(
            f"""
            INSERT INTO patients_activityevent (patient_id, kind, event_date, provider_id, source_system, source_id,
                length_of_stay_days, discharge_destination, recorded_at)
            SELECT {low} + (hashint % ({high} - {low} + 1)), kind,
                CURRENT_DATE - (n % 730), ({provider_array})[1 + n % {len(providers)}], 'bench', 'B' || n,
                CASE WHEN kind IN ('emergency_admission', 'elective_admission') THEN n % 15 END,
                CASE WHEN kind = 'discharge' THEN 'usual_residence' ELSE '' END, now()
            FROM (SELECT n, abs(hashint4(n)) AS hashint, ({kinds})[1 + n % {len(KINDS)}] AS kind
                  FROM generate_series({start + 1}, {stop}) AS n) AS g
            ON CONFLICT DO NOTHING
            """,
            f"events {start + 1:,}-{stop:,}",
        )
    run("SET session_replication_role = DEFAULT", "fk triggers back on")
    run("VACUUM ANALYZE patients_patient", "analyze patients")
    run("VACUUM ANALYZE patients_activityevent", "analyze events")


if __name__ == "__main__":
    main()
