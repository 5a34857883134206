"""Celery tasks of the care model: thin, named, calling one service."""

from celery import shared_task

from caremodel.request_context import request_context
from caremodel.services.sessions import sessions_clear_expired


@shared_task(name="caremodel.sessions_clear_expired")
def sessions_clear_expired_task() -> None:
    with request_context(source="task"):
        sessions_clear_expired()
