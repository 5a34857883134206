"""The Celery application of the fault tests' worker subprocesses: the project's app, plus a
test-only hook that makes each chunk observable and slow. Before a chunk runs, the hook
appends a line to the file named by FAULT_CHUNK_LOG and sleeps FAULT_CHUNK_DELAY seconds,
so a test can kill the worker, or restart the broker, while a chunk is in progress."""

import os
import time

from celery.signals import task_prerun

from caremodel.celery import app

__all__ = ["app"]


@task_prerun.connect
def _observable_slow_chunk(sender: object = None, args: tuple = (), **_: object) -> None:
    if getattr(sender, "name", "") != "stratification.risk_chunk_score":
        return
    log = os.environ.get("FAULT_CHUNK_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{os.getpid()} {' '.join(str(a) for a in args)}\n")
    time.sleep(float(os.environ.get("FAULT_CHUNK_DELAY", "0")))
