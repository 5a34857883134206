"""Keep NHS numbers (any 10-digit run, spaced or not) out of every log line.

Redaction happens when a log record is created, so it covers every logger and handler,
including third-party ones and test log capture (RELIABILITY 44)."""

import logging
import re
from typing import Any

_TEN_DIGITS = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    return _TEN_DIGITS.sub(REDACTED, text)


def install_redacting_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "caremodel_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return record
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return record

    factory.caremodel_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactIdentifiersFilter(logging.Filter):
    """Belt and braces on the console handler, for records made before the factory was installed."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
