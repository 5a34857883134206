"""A published risk run for the browser tests of the risk pages: P1 (GP-A's practice) at high
risk among a small population of practice A, P2 at practice B."""

import datetime

from caremodel.celery import app
from patients.models import EventKind, Patient
from stratification.models import RiskRun
from stratification.services import runs
from tests.stratification.factories import AS_OF, add_condition, add_event, code, hand_model, random_population


def publish_run(*, practice_a, p1: Patient, p2: Patient) -> RiskRun:
    hand_model()
    random_population(practice=practice_a, count=12, seed=21)
    add_condition(p1, code("heart_failure"))
    for days in (10, 40, 90):
        add_event(p1, EventKind.EMERGENCY_ADMISSION, AS_OF - datetime.timedelta(days=days))
    before = app.conf.task_always_eager
    app.conf.task_always_eager = True  # in-process, whatever REDIS_URL says
    try:
        run = runs.risk_run_start(triggered_by="browser test", as_of=AS_OF)
    finally:
        app.conf.task_always_eager = before
    assert run is not None
    run.refresh_from_db()
    assert run.status == "published", run.error
    return run
