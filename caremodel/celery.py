"""The Celery application. Beat schedules are declared in caremodel/schedules.py only."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "caremodel.settings.local")

app = Celery("caremodel")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_finalize.connect
def _install_beat_schedule(sender: Celery, **_: object) -> None:
    from caremodel.schedules import BEAT_SCHEDULE

    sender.conf.beat_schedule = BEAT_SCHEDULE
