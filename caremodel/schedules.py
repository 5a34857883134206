"""Every periodic task of the product, in one place (docs/adr/0006).

Times are Europe/London (CELERY_TIMEZONE); exactly one beat process runs in a deployment.
"""

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "sessions-clear-expired": {
        "task": "caremodel.sessions_clear_expired",
        "schedule": crontab(hour=1, minute=15),
    },
}
