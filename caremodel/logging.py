"""Logging filter that keeps NHS numbers (any 10-digit run) out of every log line."""

import logging
import re

_TEN_DIGITS = re.compile(r"(?<!\d)\d{3}[ -]?\d{3}[ -]?\d{4}(?!\d)")


class RedactIdentifiersFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = _TEN_DIGITS.sub("[redacted]", message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        return True
