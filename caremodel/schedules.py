"""Every periodic task of the product, in one place (docs/adr/0006).

Times are Europe/London (CELERY_TIMEZONE); exactly one beat process runs in a deployment.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sessions-clear-expired": {
        "task": "caremodel.sessions_clear_expired",
        "schedule": crontab(hour=1, minute=15),
    },
    # The nightly risk recompute (stratification/runs.py): after the evening feeds, before clinics.
    "risk-run-nightly": {
        "task": "stratification.risk_run_start",
        "schedule": crontab(hour=2, minute=0),
        "kwargs": {"triggered_by": "beat"},
    },
    # Fails any risk run past its deadline (a lost chunk or finaliser); short and idempotent, so
    # it never waits on the broker longer than the visibility timeout.
    "risk-run-expire": {
        "task": "stratification.risk_run_expire",
        "schedule": crontab(minute="*/10"),
    },
}
