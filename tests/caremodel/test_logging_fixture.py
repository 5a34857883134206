"""The suite-wide `no_nhs_number_in_logs` fixture (root conftest.py) fails a test whose logs hold a valid NHS number.

A child pytest runs a few tests under the root conftest's fixture. They log with the redacting record factory
switched off, as a handler, a library or a future change that slipped past it would.
"""

import os
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parents[2]

CONFTEST = f"""
import importlib.util

_spec = importlib.util.spec_from_file_location("suite_conftest", {str(ROOT / "conftest.py")!r})
_suite = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_suite)
no_nhs_number_in_logs = _suite.no_nhs_number_in_logs
pytest_runtest_call = _suite.pytest_runtest_call
"""

TESTS = """
import logging

import pytest

quiet = logging.getLogger("leaky.quiet")
quiet.setLevel(logging.WARNING)
quiet.propagate = False


@pytest.fixture
def unredacted():
    \"\"\"Neither the record factory nor the console handler's filter redacts.\"\"\"
    factory = logging.getLogRecordFactory()
    filtered = [(h, list(h.filters)) for h in logging.getLogger().handlers]
    logging.setLogRecordFactory(logging.LogRecord)
    for handler, _ in filtered:
        handler.filters.clear()
    yield
    logging.setLogRecordFactory(factory)
    for handler, filters in filtered:
        handler.filters[:] = filters


def test_valid_number_in_a_debug_message(unredacted):
    logging.getLogger("leaky.module").debug("looked up %s", "943 476 5919")


def test_valid_number_in_exception_text(unredacted):
    try:
        raise ValueError("Key (nhs_number)=(9434765919) already exists.")
    except ValueError:
        logging.getLogger("leaky.module").info("could not save", exc_info=True)


def test_valid_number_from_a_quiet_logger_that_does_not_propagate(unredacted):
    quiet.debug("number 943-476-5919")


def test_number_that_fails_the_check_digit(unredacted):
    logging.getLogger("leaky.module").warning("looked up %s", "943 476 5918")


def test_uuid_whose_digits_run_ten_long_across_its_dashes(unredacted):
    logging.getLogger("leaky.module").warning("GET /api/v1/patients/abcdef94-3476-5919-abcd-ef0123456789/")


def test_valid_number_through_the_redacting_factory():
    logging.getLogger("caremodel.module").warning("looked up %s", "943 476 5919")
"""


def test_the_suite_wide_fixture_fails_a_test_that_logs_a_valid_nhs_number(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST)
    (tmp_path / "test_leaks.py").write_text(TESTS)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caremodel.settings.test",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--junitxml=report.xml", "test_leaks.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    cases = ElementTree.parse(tmp_path / "report.xml").getroot().iter("testcase")  # noqa: S314 - our own report
    failures = {case.get("name"): case.find("failure") for case in cases}
    assert set(failures) == {
        "test_valid_number_in_a_debug_message",
        "test_valid_number_in_exception_text",
        "test_valid_number_from_a_quiet_logger_that_does_not_propagate",
        "test_number_that_fails_the_check_digit",
        "test_uuid_whose_digits_run_ten_long_across_its_dashes",
        "test_valid_number_through_the_redacting_factory",
    }
    assert failures["test_number_that_fails_the_check_digit"] is None
    assert failures["test_uuid_whose_digits_run_ten_long_across_its_dashes"] is None
    assert failures["test_valid_number_through_the_redacting_factory"] is None
    # The report names the level and the logger, and masks the number.
    expected = {
        "test_valid_number_in_a_debug_message": "DEBUG leaky.module: looked up <NHS number>",
        "test_valid_number_in_exception_text": "ValueError: Key (nhs_number)=(<NHS number>) already exists.",
        "test_valid_number_from_a_quiet_logger_that_does_not_propagate": "DEBUG leaky.quiet: number <NHS number>",
    }
    for name, line in expected.items():
        failure = failures[name]
        assert failure is not None, name
        assert "1 log record(s) held a valid NHS number" in failure.get("message", ""), name
        assert line in (failure.text or ""), failure.text
