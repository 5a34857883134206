"""Runs end to end on whichever database the suite runs on (eager Celery): publication,
bands, explanations, change since the last run, a failing chunk, retention, commands."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from patients.models import EventKind
from stratification.models import PublishedRun, RiskRun, RiskRunChunk, RiskScore, RunStatus
from stratification.services import runs
from tests.patients.factories import PatientFactory
from tests.stratification.factories import AS_OF, add_condition, add_event, code, hand_model, random_population

pytestmark = pytest.mark.django_db


def _scores(run: RiskRun) -> dict[int, RiskScore]:
    return {s.patient_id: s for s in RiskScore.objects.filter(run_id=run.pk)}


@override_settings(RISK_CHUNK_SIZE=7)
def test_a_run_scores_everyone_eligible_bands_by_rank_and_publishes(area, start_run) -> None:
    hand_model()
    patients = random_population(practice=area.practice_a, count=50)
    dead = PatientFactory(registered_practice=area.practice_a, date_of_death=AS_OF - datetime.timedelta(days=3))
    unborn = PatientFactory(registered_practice=area.practice_a, date_of_birth=AS_OF + datetime.timedelta(days=1))
    run = start_run(as_of=AS_OF)
    assert run.status == RunStatus.PUBLISHED, run.error
    assert run.chunk_count == RiskRunChunk.objects.filter(run=run).count() == 8  # 52 ids in chunks of 7
    scores = _scores(run)
    assert set(scores) == {p.pk for p in patients}
    assert dead.pk not in scores and unborn.pk not in scores
    assert run.band_counts == {"very_high": 1, "high": 1, "moderate": 8, "low": 40}
    ranked = sorted(scores.values(), key=lambda s: s.rank)
    assert [s.rank for s in ranked] == list(range(1, 51))
    assert all(a.score >= b.score for a, b in itertools.pairwise(ranked))
    assert [s.band for s in ranked[:3]] == ["very_high", "high", "moderate"]
    assert PublishedRun.objects.get().run_id == run.pk


def test_explanations_are_stored_with_each_score(area, start_run) -> None:
    hand_model()
    patient = PatientFactory(registered_practice=area.practice_a, date_of_birth=datetime.date(1930, 1, 1))
    add_condition(patient, code("heart_failure"))
    for days in (10, 100):
        add_event(patient, EventKind.EMERGENCY_ADMISSION, AS_OF - datetime.timedelta(days=days))
    run = start_run(as_of=AS_OF)
    score = RiskScore.objects.get(run_id=run.pk, patient_id=patient.pk)
    assert score.factors == "emergency_admissions_12m,age_85_plus,ltc_heart_failure"
    assert score.emergency_admissions_12m == 2


def test_change_since_the_last_run(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=40)
    riser = PatientFactory(registered_practice=area.practice_a, date_of_birth=datetime.date(1990, 1, 1))
    first = start_run(as_of=AS_OF)
    assert _scores(first)[riser.pk].band == "low"
    for days in (5, 15, 25):
        add_event(riser, EventKind.EMERGENCY_ADMISSION, AS_OF - datetime.timedelta(days=days))
    for deficit in ("heart_failure", "diabetes", "respiratory_disease", "memory_cognitive", "arthritis"):
        add_condition(riser, code(deficit))
    second = start_run(as_of=AS_OF)
    score = _scores(second)[riser.pk]
    assert score.band in ("very_high", "high")
    assert score.previous_band == "low"
    assert score.is_new_entrant and score.has_risen
    assert score.previous_efi_category == "fit" and score.efi_category == "mild" and score.frailty_worsened
    first.refresh_from_db()
    assert first.status == RunStatus.SUPERSEDED
    pointer = PublishedRun.objects.get()
    assert (pointer.run_id, pointer.previous_run_id) == (second.pk, first.pk)


def test_a_failing_chunk_fails_the_run_and_leaves_the_old_list(area, start_run, monkeypatch) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=20)
    good = start_run(as_of=AS_OF)
    before = {pid: (s.score, s.band) for pid, s in _scores(good).items()}

    def broken(**kwargs: object) -> int:
        raise ValueError("feed corrupted")

    monkeypatch.setattr(runs.scoring_python, "score_chunk", broken)
    monkeypatch.setattr(runs.scoring_sql, "score_chunk", broken)
    failed = start_run(as_of=AS_OF)
    assert failed.status == RunStatus.FAILED
    assert "feed corrupted" in failed.error
    assert PublishedRun.objects.get().run_id == good.pk
    assert {pid: (s.score, s.band) for pid, s in _scores(good).items()} == before
    assert not RiskScore.objects.filter(run_id=failed.pk).exists()
    monkeypatch.undo()
    assert start_run(as_of=AS_OF).status == RunStatus.PUBLISHED  # the next night is not blocked


def test_a_second_start_while_a_run_is_under_way_exits_without_work(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=5)
    plan = runs.risk_run_plan(triggered_by="first", as_of=AS_OF)
    assert plan is not None
    assert start_run(as_of=AS_OF) is None
    assert RiskRun.objects.count() == 1


def test_an_overdue_run_is_failed_and_does_not_block_the_next(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=5)
    plan = runs.risk_run_plan(triggered_by="lost", as_of=AS_OF)
    RiskRun.objects.filter(pk=plan.run.pk).update(deadline_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    run = start_run(as_of=AS_OF)
    assert run.status == RunStatus.PUBLISHED
    plan.run.refresh_from_db()
    assert plan.run.status == RunStatus.FAILED and "deadline" in plan.run.error


def test_lost_runs_are_expired_by_beat_within_minutes_of_their_deadline(area, eager_celery, monkeypatch) -> None:
    # No task waits on the broker for the deadline (on Redis a message waiting past the visibility
    # timeout is delivered again every hour); a periodic task fails overdue runs instead.
    from caremodel.schedules import BEAT_SCHEDULE
    from stratification import tasks

    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "stratification.risk_run_expire")
    minutes = sorted(entry["schedule"].minute)
    assert entry["schedule"].hour == set(range(24))
    assert max(b - a for a, b in itertools.pairwise([*minutes, minutes[0] + 60])) <= 10
    sent: list[object] = []
    monkeypatch.setattr(tasks.risk_run_expire_task, "apply_async", lambda *a, **k: sent.append((a, k)))
    monkeypatch.setattr(eager_celery.conf, "task_always_eager", False)
    monkeypatch.setattr("celery.chord", lambda header: lambda body: None)
    hand_model()
    random_population(practice=area.practice_a, count=3)
    runs._dispatch(runs.risk_run_plan(triggered_by="test", as_of=AS_OF))
    assert sent == []
    RiskRun.objects.update(deadline_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC))
    assert tasks.risk_run_expire_task.run() == 1
    assert RiskRun.objects.get().status == RunStatus.FAILED


def test_a_redelivered_chunk_gives_the_same_rows(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=15)
    plan = runs.risk_run_plan(triggered_by="test", as_of=AS_OF)
    for low, high in plan.ranges:
        runs.risk_chunk_score(run_id=plan.run.pk, first_id=low, last_id=high)
    low, high = plan.ranges[0]
    runs.risk_chunk_score(run_id=plan.run.pk, first_id=low, last_id=high)  # delivered twice
    run = runs.risk_run_finalise(run_id=plan.run.pk)
    assert run.status == RunStatus.PUBLISHED
    assert RiskScore.objects.filter(run_id=run.pk).count() == run.patient_count == 15


def test_a_run_whose_previous_list_moved_while_it_scored_is_failed(area, start_run) -> None:
    # Chunks compare against the list published when they run; the finaliser refuses to publish
    # if another list was published since (only the one running run can do that, so it is a guard).
    hand_model()
    random_population(practice=area.practice_a, count=6)
    first = start_run(as_of=AS_OF)
    plan = runs.risk_run_plan(triggered_by="test", as_of=AS_OF)
    for low, high in plan.ranges:
        runs.risk_chunk_score(run_id=plan.run.pk, first_id=low, last_id=high)
    PublishedRun.objects.filter(pk=1).update(published_at=plan.run.started_at + datetime.timedelta(seconds=1))
    run = runs.risk_run_finalise(run_id=plan.run.pk)
    assert run.status == RunStatus.FAILED and f"run {first.pk} was published" in run.error
    assert PublishedRun.objects.get().run_id == first.pk
    assert not RiskScore.objects.filter(run_id=run.pk).exists()


def test_old_runs_are_dropped_after_the_retention_period(area, start_run) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=5)
    oldest, previous, current = (start_run(as_of=AS_OF) for _ in range(3))
    assert RiskScore.objects.filter(run_id=oldest.pk).exists()
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=36)
    assert runs.risk_runs_prune(now=later) == 1
    oldest.refresh_from_db()
    assert oldest.storage_dropped and not RiskScore.objects.filter(run_id=oldest.pk).exists()
    assert RiskScore.objects.filter(run_id=previous.pk).exists()  # kept for "risen since"
    assert RiskScore.objects.filter(run_id=current.pk).exists()


def test_without_an_active_model_nothing_starts_and_the_message_says_why(area, start_run) -> None:
    with pytest.raises(Exception, match="No risk model is active"):
        start_run(as_of=AS_OF)
    assert not RiskRun.objects.exists()


def test_recompute_risk_command(area, eager_celery) -> None:
    hand_model()
    random_population(practice=area.practice_a, count=12)
    out = StringIO()
    call_command("recompute_risk", "--as-of", AS_OF.isoformat(), "--no-progress", stdout=out)
    assert "published: 12 patients" in out.getvalue()


def test_recompute_risk_command_reports_a_bad_model(area) -> None:
    model = hand_model()
    model.coefficients = []
    model.save()
    with pytest.raises(CommandError, match="The model has no coefficients"):
        call_command("recompute_risk", "--no-progress")


def test_calibrate_risk_model_fits_measures_and_activates(area) -> None:
    random_population(practice=area.practice_a, count=150, seed=11)
    out = StringIO()
    as_of = AS_OF - datetime.timedelta(days=200)
    call_command(
        "calibrate_risk_model", "--as-of", as_of.isoformat(), "--model-version", "local-1", "--activate", stdout=out
    )
    from stratification.models import RiskModel

    model = RiskModel.objects.get(version="local-1")
    assert model.is_active
    assert len(model.coefficients) == len(model.features)
    assert 0.0 <= model.metrics["auroc"] <= 1.0
    assert sum(row["patients"] for row in model.metrics["calibration"]) == model.fitted_on["patients"]
    assert "AUROC" in out.getvalue() and "Activated." in out.getvalue()


def test_calibration_without_outcomes_says_what_is_missing(area) -> None:
    PatientFactory(registered_practice=area.practice_a)
    with pytest.raises(CommandError, match="had an emergency admission in the 12 months after"):
        call_command("calibrate_risk_model", "--as-of", AS_OF.isoformat())


def test_the_demo_steps_skip_quietly_without_history(area) -> None:
    PatientFactory(registered_practice=area.practice_a)
    out = StringIO()
    call_command("calibrate_risk_model", "--activate", "--skip-without-history", stdout=out)
    call_command("recompute_risk", "--no-progress", "--skip-without-model", stdout=out)
    assert "No risk model fitted" in out.getvalue() and "no risk run" in out.getvalue()


def test_date_of_birth_is_required_today_and_unscoreable_records_are_left_out(area, start_run) -> None:
    """Age is a feature, so a record without a date of birth cannot be scored. The field is NOT
    NULL today; if that changes, the eligibility rule (born on or before the run date) already
    leaves such records out (NULL never compares true) rather than guessing an age."""
    from patients.models import Patient
    from stratification.scoring_python import eligible_patients

    assert Patient._meta.get_field("date_of_birth").null is False
    hand_model()
    born_later = PatientFactory(registered_practice=area.practice_a, date_of_birth=AS_OF + datetime.timedelta(days=2))
    assert not Patient.objects.filter(eligible_patients(as_of=AS_OF), pk=born_later.pk).exists()
    run = start_run(as_of=AS_OF)
    assert run.patient_count == 0 and run.status == RunStatus.PUBLISHED
