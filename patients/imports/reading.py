"""Reading an uploaded CSV safely: UTF-8 only, the header checked, physical line numbers kept."""

import csv
import gc
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from patients.imports.report import PROGRESS_EVERY, ImportReport

MAX_FIELD = 1_000
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]? ?[0-9][A-Z]{2}$")


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Reading a large file allocates millions of small containers, none of them cyclic; the
    cyclic collector's passes over them cost several times the parsing itself (measured: 6.8 s
    instead of 0.9 s of CPU for a million rows), so it waits until the file has been read."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class FileRejected(Exception):
    """The file as a whole cannot be read; the report already says where and why."""


def decode(data: bytes, report: ImportReport) -> str:
    """UTF-8 (with or without a byte-order mark) or nothing: a wrong encoding is named with its line."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        report.reject(
            line, "file", f"The file is not UTF-8 encoded (byte {exc.object[exc.start]:#04x}); save it as UTF-8."
        )
        raise FileRejected from exc


def open_csv(
    text: str, *, required: tuple[str, ...], optional: tuple[str, ...], report: ImportReport
) -> tuple[dict[str, int], Iterator[tuple[int, list[str]]]]:
    """Check the header; return the index of each known column and an iterator of
    (line number, raw values) for every data row of the right width. The header is line 1."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = [name.strip().lower() for name in next(reader, [])]
    except csv.Error as exc:
        report.reject(1, "file", f"The header is not valid CSV: {exc}.")
        raise FileRejected from exc
    if not header:
        report.reject(1, "file", "The file is empty; expected a header row.")
        raise FileRejected
    missing = [name for name in required if name not in header]
    for name in missing:
        report.reject(1, name, f"Missing column {name!r}; the file needs: {', '.join(required)}.")
    if missing:
        raise FileRejected
    columns = {name: index for index, name in enumerate(header) if name in required or name in optional}
    # The cells are checked for NUL (which PostgreSQL text cannot hold) only in a file that has one.
    return columns, _records(reader, width=len(header), report=report, header=header if "\x00" in text else None)


def _records(
    reader: Any, *, width: int, report: ImportReport, header: list[str] | None = None
) -> Iterator[tuple[int, list[str]]]:
    rows = 0
    try:
        for values in reader:
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            rows += 1
            if report.progress is not None and rows % PROGRESS_EVERY == 0:
                report.progress(rows)
            if len(values) != width:
                report.reject(reader.line_num, "row", f"Expected {width} fields, found {len(values)}.")
                continue
            if header is not None and _has_nul(reader.line_num, values, header, report):
                continue
            yield reader.line_num, values
    except csv.Error as exc:
        report.reject(reader.line_num, "file", f"Malformed CSV: {exc}.")
        raise FileRejected from exc
    finally:
        report.rows += rows


def _has_nul(line: int, values: list[str], header: list[str], report: ImportReport) -> bool:
    """Reject the row naming each column whose cell holds a NUL character."""
    faulty = [index for index, value in enumerate(values) if "\x00" in value]
    for index in faulty:
        column = header[index].replace("\x00", "") or f"column {index + 1}"
        report.reject(line, column, "The cell must not contain NUL (\\u0000) characters.")
    return bool(faulty)


def read_rows(
    text: str, *, required: tuple[str, ...], optional: tuple[str, ...], report: ImportReport
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number, row as a dict of stripped values) for every data row."""
    columns, records = open_csv(text, required=required, optional=optional, report=report)
    wanted = list(columns.items())
    for line, values in records:
        yield line, {name: values[index].strip()[:MAX_FIELD] for name, index in wanted}


def parse_date(value: str) -> date:
    """ISO dates (2024-03-01) and the dd/mm/yyyy of many extracts."""
    if len(value) == 10 and value[2] == "/" and value[5] == "/":
        return date(int(value[6:]), int(value[3:5]), int(value[:2]))
    return date.fromisoformat(value)


def is_postcode(value: str) -> bool:
    return bool(_POSTCODE.match(value))
