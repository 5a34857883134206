"""PostgreSQL-only behaviour: the set-based path agrees with the Python path, the advisory lock,
atomic publication under a polling reader, partitions, and a real worker fan-out through Redis."""

import os
import threading
import time

import psycopg
import pytest
from django.db import connection, connections

from stratification import scoring_python, scoring_sql, storage
from stratification.features import FEATURE_NAMES, feature_vector
from stratification.models import PublishedRun, RiskRun, RiskScore, RunStatus
from stratification.services import runs
from tests.stratification.factories import AS_OF, hand_model, random_population

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL-only path")

COMPARED = (
    "practice_id",
    "age",
    "rank",
    "band",
    "efi_score",
    "efi_deficits",
    "efi_category",
    "emergency_admissions_12m",
    "ae_attendances_12m",
    "falls_12m",
    "ltc_count",
    "ltc_mask",
    "care_home",
    "factors",
)


@pytest.mark.django_db
def test_sql_and_python_paths_agree_on_the_same_data(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=150, seed=3)
    random_population(practice=area.practice_b, count=150, seed=4)
    by_python = start_run(as_of=AS_OF, path="python")
    by_sql = start_run(as_of=AS_OF, path="sql")
    assert (by_python.status, by_sql.status) == (RunStatus.PUBLISHED, RunStatus.PUBLISHED)
    python_scores = {s.patient_id: s for s in RiskScore.objects.filter(run_id=by_python.pk)}
    sql_scores = {s.patient_id: s for s in RiskScore.objects.filter(run_id=by_sql.pk)}
    assert set(python_scores) == set(sql_scores) and len(sql_scores) == 300
    for patient_id, expected in python_scores.items():
        got = sql_scores[patient_id]
        assert abs(got.score - expected.score) <= 1e-9, patient_id
        for field in COMPARED:
            assert getattr(got, field) == getattr(expected, field), (patient_id, field)
        assert got.previous_band == expected.band  # the SQL run followed the Python one
    assert by_python.band_counts == by_sql.band_counts


@pytest.mark.django_db
def test_the_facts_and_features_agree_patient_by_patient(area) -> None:
    random_population(practice=area.practice_a, count=120, seed=5)
    (low, high), *_ = runs.chunk_ranges(size=10_000)
    facts = scoring_sql.read_facts(as_of=AS_OF, first_id=low, last_id=high)
    matrix, _ = scoring_sql.feature_matrix(facts, FEATURE_NAMES)
    expected = list(scoring_python.facts_for_range(as_of=AS_OF, first_id=low, last_id=high))
    assert [int(i) for i in facts["patient_id"]] == [f.patient_id for f in expected]
    for row, person in zip(matrix, expected, strict=True):
        assert list(row) == [feature_vector(person)[name] for name in FEATURE_NAMES]


@pytest.mark.django_db
def test_a_second_start_exits_while_another_holds_the_advisory_lock(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=5)
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k != "cursor_factory"}) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [runs.ADVISORY_LOCK_KEY])
        assert start_run(as_of=AS_OF) is None
        assert not RiskRun.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [runs.ADVISORY_LOCK_KEY])
    assert start_run(as_of=AS_OF).status == RunStatus.PUBLISHED


@pytest.mark.django_db(transaction=True)
def test_a_reader_polling_throughout_runs_sees_only_complete_lists(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=200, seed=9)
    first = start_run(as_of=AS_OF)
    expected = {first.pk: first.band_counts}
    seen: list[tuple[int, dict[str, int]]] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def read() -> None:
        try:
            while not stop.is_set():
                pointer = PublishedRun.objects.get(pk=1)
                counts: dict[str, int] = {}
                for band in RiskScore.objects.filter(run_id=pointer.run_id).values_list("band", flat=True):
                    counts[band] = counts.get(band, 0) + 1
                seen.append((pointer.run_id, counts))
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connections.close_all()

    reader = threading.Thread(target=read)
    reader.start()
    try:
        for _ in range(3):
            run = start_run(as_of=AS_OF)
            assert run.status == RunStatus.PUBLISHED
            expected[run.pk] = run.band_counts
    finally:
        stop.set()
        reader.join(timeout=30)
    assert not errors, errors
    assert seen
    for run_id, counts in seen:
        assert counts == {band: n for band, n in expected[run_id].items() if n}, run_id
    assert len({run_id for run_id, _ in seen}) >= 2


@pytest.mark.django_db
def test_each_run_is_a_partition_and_pruning_drops_it(area, start_run) -> None:
    import datetime

    hand_model()
    random_population(practice=area.practice_a, count=5)
    oldest = start_run(as_of=AS_OF)
    start_run(as_of=AS_OF)
    start_run(as_of=AS_OF)
    assert _exists(storage.partition_name(oldest.pk))
    assert not _exists(storage.staging_name(oldest.pk))
    runs.risk_runs_prune(now=datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=40))
    assert not _exists(storage.partition_name(oldest.pk))


def _exists(table: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        return bool(cursor.fetchone()[0])


def _wait_for_end(run_id: int, timeout: float = 60) -> RiskRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = RiskRun.objects.get(pk=run_id)
        if run.status != RunStatus.RUNNING:
            return run
        time.sleep(0.2)
    raise AssertionError("the run did not end in time")


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL")
@pytest.mark.django_db(transaction=True)
def test_real_worker_fan_out_publishes_and_a_failing_chunk_fails_the_run_promptly(area, monkeypatch, settings) -> None:
    from celery.contrib.testing.worker import start_worker

    from caremodel.celery import app

    settings.RISK_CHUNK_SIZE = 10
    hand_model()
    random_population(practice=area.practice_a, count=40)
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            run = runs.risk_run_start(triggered_by="test", as_of=AS_OF)
            assert _wait_for_end(run.pk).status == RunStatus.PUBLISHED

            def broken(**kwargs: object) -> int:
                raise ValueError("corrupt chunk")

            monkeypatch.setattr(scoring_sql, "score_chunk", broken)
            started = time.monotonic()
            failed = runs.risk_run_start(triggered_by="test", as_of=AS_OF)
            ended = _wait_for_end(failed.pk)
            assert ended.status == RunStatus.FAILED
            assert time.monotonic() - started < 30
    finally:
        app.conf.task_always_eager = True
    assert PublishedRun.objects.get().run_id == run.pk


@pytest.mark.django_db
def test_the_scores_table_is_partitioned_and_matches_the_model() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE relname = %s", [storage.PARENT])
        assert cursor.fetchone()[0] == "p"
        cursor.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [storage.PARENT],
        )
        columns = [row[0] for row in cursor.fetchall()]
    assert columns == [field.column for field in RiskScore._meta.concrete_fields]
