"""Celery: one place for schedules, eager without a broker, a real round trip through Redis."""

import os
from datetime import timedelta

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.models import Session
from django.utils import timezone

from caremodel.celery import app
from caremodel.schedules import BEAT_SCHEDULE
from caremodel.tasks import sessions_clear_expired_task


def _expired_and_live_sessions() -> tuple[str, str]:
    now = timezone.now()
    Session.objects.create(session_key="expired", session_data="", expire_date=now - timedelta(minutes=1))
    Session.objects.create(session_key="live", session_data="", expire_date=now + timedelta(minutes=30))
    return "expired", "live"


def test_every_scheduled_task_is_registered_under_its_explicit_name() -> None:
    app.loader.import_default_modules()
    assert BEAT_SCHEDULE, "expected at least one periodic task"
    for entry in BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks
    assert app.conf.beat_schedule == BEAT_SCHEDULE


def test_reliability_settings() -> None:
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.broker_transport_options["visibility_timeout"] > app.conf.task_time_limit


@pytest.mark.django_db
def test_task_runs_eagerly_without_a_broker() -> None:
    expired, live = _expired_and_live_sessions()
    sessions_clear_expired_task.delay().get(timeout=10)
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (run with PostgreSQL + Redis)")
@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_redis_and_a_real_worker() -> None:
    expired, live = _expired_and_live_sessions()
    app.conf.task_always_eager = False
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            result = sessions_clear_expired_task.delay()
            result.get(timeout=30)
            assert result.successful()
    finally:
        app.conf.task_always_eager = True
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=live).exists()
