"""Settings of the real Celery workers that the fault tests start as subprocesses.

The test settings, plus what a fault test needs to see redelivery and deadlines quickly:
a short broker visibility timeout, small chunks and an optional short run deadline, each
read from the subprocess's environment so no production setting changes.
"""

import os

from caremodel.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("FAULT_VISIBILITY_TIMEOUT", "8")),
    # Sweep for abandoned messages every second rather than every hundred.
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
RISK_CHUNK_SIZE = int(os.environ.get("FAULT_CHUNK_SIZE", "10"))
if os.environ.get("FAULT_RUN_DEADLINE_SECONDS"):
    RISK_RUN_DEADLINE_SECONDS = int(os.environ["FAULT_RUN_DEADLINE_SECONDS"])
