"""Keep patient identifiers, credentials and session ids out of every log line (RELIABILITY 44, docs/adr/0014).

The record factory redacts a record as it is made, before any filter or handler sees it: the message, the
exception text (the traceback is formatted here, into `exc_text`, and `exc_info` is dropped so that no handler
formats the exception again) and the stack. That covers every logger and handler, ours and third parties'
(`django.request`, Celery, axes), the root console and test log capture alike.
"""

import logging
import operator
import re
from collections.abc import Callable
from re import Match
from typing import Any

REDACTED = "[redacted]"

_SEPARATOR = r"(['\"]?[^\S\n]*[:=][^\S\n]*\[?['\"]?)"  # `: `, `=`, `': '`, `': ['` between a name and its value

# Credentials after a name. HTTP headers in any spelling (`Authorization: ...`, `'HTTP_COOKIE': '...'`) lose
# the rest of the line or string; cookie, form and keyword pairs (`sessionid=...`, `'password': '...'`) their value.
_HEADER_VALUE = re.compile(rf"(?i)(authorization|cookie|x[-_]csrf[-_]?token){_SEPARATOR}[^'\"\r\n]+")
_SECRET_PAIR = re.compile(
    rf"(?i)((?:sessionid|csrfmiddlewaretoken|csrftoken|token|password|passwd|secret|api[-_]?key)\b){_SEPARATOR}"
    r"[^\s;&,'\"\]]+"
)
_AUTH_SCHEME = re.compile(r"\b(Bearer|Token|Basic)[^\S\n]+(?=\S*\d)[\w.~+/=-]{8,}")
# DRF tokens (40 hex characters) and session keys (32 lower-case letters and digits), standing alone.
_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?:[0-9a-fA-F]{40}|[a-z0-9]{32})(?![A-Za-z0-9])")
_LONG_ALPHANUMERIC = re.compile(r"[A-Za-z0-9]{32}")

# Values in database error details. PostgreSQL: `Key (nhs_number)=(9434765919) already exists.`,
# `Failing row contains (...)`, `invalid input syntax for type date: "..."`, `COPY staging, line 3: "..."`.
# A value may hold brackets, so the known endings of the sentence, not the next `)`, close it.
# SQLite names the constraint and its columns only, never a value.
_KEY_VALUES = re.compile(
    r"(\)=\()(?:.*?(?=\)(?: already exists| is not present| is still referenced| conflicts with)|\)\.?[^\S\n]*$)"
    r"|[^\n]*(?=\)))",
    re.MULTILINE,
)
_FAILING_ROW = re.compile(r"(Failing row contains )[^\n]*")
_QUOTED_INPUT = re.compile(r"((?:invalid input|out of range|COPY [^\n]*?line \d+)[^\n\"]*?:[^\S\n]*)\"[^\n]*\"")

# Names cannot be told by their shape; these are the places the product's own objects put them.
# A model instance's repr (`<Patient: LOVELACE, Ada>`) shows its str(), and a patient's str() is the name:
# family name in capitals, a comma, the given name.
_MODEL_REPR = re.compile(r"<((?![A-Z]{4}Request\b)[A-Z]\w*): [^<>\n]*>")
_UPPER, _LOWER = "A-ZÀ-ÖØ-Þ", "a-zß-öø-ÿ"
_PATIENT_NAME = re.compile(
    rf"(?<![\w'-])[{_UPPER}][{_UPPER}'-]+(?: [{_UPPER}][{_UPPER}'-]*)*, [{_UPPER}][{_LOWER}][\w'-]*"
)
_PATIENT_NAME_GATE = re.compile(rf", [{_UPPER}][{_LOWER}]")
# Query strings carry search terms (names, dates of birth, postcodes): keep the parameter names only.
_QUERY_VALUE = re.compile(r"([?&][\w.\[\]-]+=)[^&\s\"'#<>]+")

# Full dates, in the forms people and code write them. Dates of birth cannot be told from other dates, so
# every full date in a message goes; the record's own time is added by the formatter, outside the message.
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DAY, _MONTH_NUMBER, _YEAR = r"(?:0?[1-9]|[12]\d|3[01])", r"(?:0?[1-9]|1[0-2])", r"(?:1[89]|2\d)\d\d"
_NUMERIC_DATE = re.compile(
    rf"(?<!\d)(?:{_YEAR}([-/.]){_MONTH_NUMBER}\1{_DAY}"  # 1950-01-31
    rf"|{_DAY}([-/.]){_MONTH_NUMBER}\2{_YEAR})(?!\d)"  # 31/01/1950, 31-01-1950, 31.01.1950
    r"|\b(?:datetime\.)?date(?:time)?\(\d{4}, ?\d{1,2}, ?\d{1,2}[^)\n]*\)"  # datetime.date(1950, 1, 31)
)
_NUMERIC_DATE_GATE = re.compile(r"\d[-/.]\d\d?[-/.]\d|date(?:time)?\(")
_WORDED_DATE = re.compile(
    rf"(?i)(?<!\w){_DAY}(?:st|nd|rd|th)?[-\s]+(?:of\s+)?{_MONTH}[-\s,]+{_YEAR}(?!\d)"  # 31 January 1950
    rf"|(?<!\w){_MONTH}\s+{_DAY}(?:st|nd|rd|th)?,?\s+{_YEAR}(?!\d)"  # January 31, 1950
)
_WORDED_DATE_GATE = re.compile(rf"[\s,-]{_YEAR}(?!\d)")  # a year after a space, comma or dash
# UK postcodes (outward code, optional space, inward code), any case.
_POSTCODE = re.compile(
    r"(?<![A-Za-z0-9])(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]?[^\S\n]*[0-9][A-Za-z]{2}|GIR[^\S\n]*0AA)(?![A-Za-z0-9])",
    re.IGNORECASE,
)
_INWARD_CODE = re.compile(r"[0-9][A-Za-z]{2}(?![A-Za-z0-9])")
# NHS numbers: ten digits grouped any way by spaces or dashes (943 476 5919, 943-476-5919, 9434765919,
# 94347 65919), whatever the check digit, unless part of a longer number or of a UUID (records' public ids,
# task ids), whose digits may run ten long across its dashes.
_NHS_NUMBER = re.compile(r"[0-9](?<![0-9]{2})(?:(?:[^\S\n]|[-\u2010-\u2015]){0,3}[0-9]){9}(?![0-9])")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


def _nhs_number(match: Match[str]) -> str:
    start, end = match.span()
    for uuid in _UUID.finditer(match.string, max(0, start - 35), end + 35):
        if uuid.start() <= start and end <= uuid.end():
            return match.group()
    return REDACTED


_DIGIT = re.compile(r"[0-9]")

_Gate = tuple[str, ...] | re.Pattern[str] | None  # substrings of the lower-cased text, or a quick search
_Rule = tuple[_Gate, re.Pattern[str], str | Callable[[Match[str]], str]]
# In order: credentials before the numbers inside them, dates before the ten digits a date and a time make.
_RULES: tuple[_Rule, ...] = (
    (("authorization", "cookie", "csrf"), _HEADER_VALUE, rf"\1\2{REDACTED}"),
    (("session", "csrf", "token", "passw", "secret", "key"), _SECRET_PAIR, rf"\1\2{REDACTED}"),
    (("bearer", "token", "basic"), _AUTH_SCHEME, rf"\1 {REDACTED}"),
    ((")=(",), _KEY_VALUES, rf"\1{REDACTED}"),
    (("failing row",), _FAILING_ROW, rf"\1({REDACTED})"),
    (("invalid input", "out of range", "copy "), _QUOTED_INPUT, rf'\1"{REDACTED}"'),
    (("<",), _MODEL_REPR, rf"<\1: {REDACTED}>"),
    (_PATIENT_NAME_GATE, _PATIENT_NAME, REDACTED),
    (_LONG_ALPHANUMERIC, _TOKEN, REDACTED),
    (("?", "&"), _QUERY_VALUE, rf"\1{REDACTED}"),
)
_NUMERIC_RULES: tuple[_Rule, ...] = (  # these match only text with a digit in it
    (_NUMERIC_DATE_GATE, _NUMERIC_DATE, REDACTED),
    (_WORDED_DATE_GATE, _WORDED_DATE, REDACTED),
    (_INWARD_CODE, _POSTCODE, REDACTED),
    (None, _NHS_NUMBER, _nhs_number),
)


def redact(text: str) -> str:
    """Replace identifiers, credentials and database values in `text` with [redacted]."""
    rules = _RULES + _NUMERIC_RULES if _DIGIT.search(text) else _RULES
    lowered = text.lower()
    for gate, pattern, replacement in rules:
        if gate is None or (
            any(part in lowered for part in gate) if isinstance(gate, tuple) else gate.search(text) is not None
        ):
            redacted = pattern.sub(replacement, text)
            if redacted is not text:
                text, lowered = redacted, redacted.lower()
    return text


_EXCEPTION_FORMATTER = logging.Formatter()


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record in place: message, exception text and stack. The exception object is dropped once its
    redacted text is in `exc_text`, which every formatter prints instead of formatting `exc_info` again."""
    done = getattr(record, "caremodel_redacted", None)
    if done is not None and record.exc_info is None and all(map(operator.is_, done, _redactable(record))):
        return record  # already redacted, and not changed since (makeLogRecord fills a record after the factory)
    try:
        message = record.getMessage()
    except Exception:  # a broken format string or __str__: logging's error report would print msg and args raw
        record.msg, record.args = _unformattable(record.msg), None
    else:
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
    if record.exc_info:
        if not record.exc_text:
            record.exc_text = _EXCEPTION_FORMATTER.formatException(record.exc_info)
        record.exc_info = None
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    record.caremodel_redacted = _redactable(record)
    return record


def _redactable(record: logging.LogRecord) -> tuple[object, ...]:
    return (record.msg, record.args, record.exc_text, record.stack_info)


def _unformattable(msg: object) -> str:
    try:
        return redact(f"{msg!s} (its arguments could not be formatted)")
    except Exception:
        return "(a log message that could not be formatted)"


def install_redacting_record_factory() -> None:
    previous = logging.getLogRecordFactory()
    if getattr(previous, "caremodel_redacts", False):
        return

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(previous(*args, **kwargs))

    factory.caremodel_redacts = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)


class RedactIdentifiersFilter(logging.Filter):
    """Belt and braces on the console handler, for records made before the factory was installed or
    without it (logging.makeLogRecord)."""

    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True
