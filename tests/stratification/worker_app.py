"""The Celery application of the fault tests' worker subprocesses: the project's app, plus
test-only hooks that make each chunk observable and slow, set from the environment:

- FAULT_CHUNK_LOG: a file where every delivery of a chunk appends a JSON line when it starts
  (with the worker connection's CONN_HEALTH_CHECKS) and when it finishes;
- FAULT_CHUNK_DELAY: seconds each delivery sleeps before the task runs (no transaction open),
  so a test can kill the worker, or restart the broker, while a chunk is in progress;
- FAULT_CHUNK_HOLD: seconds a chunk keeps its transaction open after writing its rows (a
  server-side pg_sleep), so a database restart or a second delivery meets work in flight;
  with FAULT_HOLD_FIRST_ID only the first delivery of the chunk starting at that id holds.
"""

import json
import os
import time
from pathlib import Path

from celery.signals import task_postrun, task_prerun
from django.db import connection

from caremodel.celery import app

__all__ = ["app"]

CHUNK_TASK = "stratification.risk_chunk_score"


def _log(event: str, args: tuple, **extra: object) -> None:
    log = os.environ.get("FAULT_CHUNK_LOG")
    if log:
        line = {"event": event, "pid": os.getpid(), "at": time.time(), "chunk": [int(a) for a in args], **extra}
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(line) + "\n")


@task_prerun.connect
def _observable_slow_chunk(sender: object = None, args: tuple = (), **_: object) -> None:
    if getattr(sender, "name", "") != CHUNK_TASK:
        return
    _install_hold()
    _log("start", args, health_checks=bool(connection.settings_dict.get("CONN_HEALTH_CHECKS")))
    time.sleep(float(os.environ.get("FAULT_CHUNK_DELAY", "0")))


@task_postrun.connect
def _chunk_finished(sender: object = None, args: tuple = (), state: str = "", **_: object) -> None:
    if getattr(sender, "name", "") == CHUNK_TASK:
        _log("done", args, state=state)


def _holds(first_id: int) -> bool:
    only = os.environ.get("FAULT_HOLD_FIRST_ID")
    if not only:
        return True
    if int(only) != first_id:
        return False
    # Only the first delivery holds: whichever process creates the marker first.
    marker = Path(os.environ["FAULT_CHUNK_LOG"]).with_suffix(f".held-{first_id}")
    try:
        marker.touch(exist_ok=False)
    except FileExistsError:
        return False
    return True


def _install_hold() -> None:
    """Wrap the SQL path's chunk scoring once (the models load only after the worker sets Django up)."""
    from stratification import scoring_sql

    score_chunk = scoring_sql.score_chunk
    if getattr(score_chunk, "holds", False):
        return

    def score_chunk_and_hold(**kwargs: object) -> int:
        count = score_chunk(**kwargs)
        hold = float(os.environ.get("FAULT_CHUNK_HOLD", "0"))
        if hold and _holds(int(str(kwargs["first_id"]))):
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_sleep(%s)", [hold])
        return count

    score_chunk_and_hold.holds = True  # type: ignore[attr-defined]
    scoring_sql.score_chunk = score_chunk_and_hold
