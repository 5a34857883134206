"""Celery tasks of the patient record: thin, named, calling one service."""

from celery import shared_task

from caremodel.request_context import request_context
from patients.services.imports import import_job_run


@shared_task(name="patients.import_job_run", acks_late=True, reject_on_worker_lost=True)
def import_job_run_task(job_id: int) -> str:
    with request_context(source="task"):
        return str(import_job_run(job_id=job_id).status)
