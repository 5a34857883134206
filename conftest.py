"""One fixture per role, and the two patients every access test needs:
P1 is registered at GP-A's practice (a care relationship), P2 at another cluster's practice (none).
Every test also runs under `no_nhs_number_in_logs`: a valid NHS number in any log line fails it."""

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from caremodel.models import Cluster, Organisation, Role, Team, TeamKind, User
from patients.models import Patient
from patients.nhs_number import is_valid_nhs_number
from tests.caremodel.factories import ClusterFactory, PracticeFactory, TeamFactory, UserFactory
from tests.patients.factories import PatientFactory

PASSWORD = "correct-horse-battery"
AUDIT_TABLE = "caremodel_auditevent"
AUDIT_NO_TRUNCATE_TRIGGER = "caremodel_auditevent_no_truncate"


@pytest.fixture(scope="session", autouse=True)
def _test_flush_empties_the_audit_table_as_its_owner() -> Iterator[None]:
    """Between transactional tests (transactional_db, live_server) Django empties every table with
    one TRUNCATE, which the audit table refuses on PostgreSQL (caremodel migration 0006). Here, in
    the test run only, that flush switches the trigger off inside its own transaction, as the
    table's owner, and on again before it commits. The application has no such switch, and
    deployed as docs/adr/0012 says it is not the owner and could not use one."""
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.sql_flush

    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):  # type: ignore[no-untyped-def]
        statements = original(self, style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if AUDIT_TABLE not in tables:
            return statements
        table, trigger = self.quote_name(AUDIT_TABLE), self.quote_name(AUDIT_NO_TRUNCATE_TRIGGER)
        return [
            f"ALTER TABLE {table} DISABLE TRIGGER {trigger}",
            *statements,
            f"ALTER TABLE {table} ENABLE TRIGGER {trigger}",
        ]

    DatabaseOperations.sql_flush = sql_flush  # type: ignore[method-assign]
    yield
    DatabaseOperations.sql_flush = original  # type: ignore[method-assign]


@dataclass
class Area:
    cluster_a: Cluster
    cluster_b: Cluster
    practice_a: Organisation
    practice_b: Organisation
    practice_team_a: Team
    practice_team_b: Team
    neighbourhood_team_a: Team
    spa_team: Team


@pytest.fixture
def area(db: None) -> Area:
    cluster_a = ClusterFactory(name="Urban")
    cluster_b = ClusterFactory(name="Rural", commissioner=cluster_a.commissioner)
    practice_a = PracticeFactory(name="Practice A", cluster=cluster_a)
    practice_b = PracticeFactory(name="Practice B", cluster=cluster_b)
    return Area(
        cluster_a=cluster_a,
        cluster_b=cluster_b,
        practice_a=practice_a,
        practice_b=practice_b,
        practice_team_a=TeamFactory(name="Practice A team", organisation=practice_a, practices=[practice_a]),
        practice_team_b=TeamFactory(name="Practice B team", organisation=practice_b, practices=[practice_b]),
        neighbourhood_team_a=TeamFactory(name="Urban NCT", kind=TeamKind.NEIGHBOURHOOD, cluster=cluster_a),
        spa_team=TeamFactory(name="SPA", kind=TeamKind.SPA),
    )


@pytest.fixture
def gp(area: Area) -> User:
    """GP-A: member of practice A's team."""
    return UserFactory(username="gp.a", role=Role.GP, organisation=area.practice_a, teams=[area.practice_team_a])


@pytest.fixture
def gp_b(area: Area) -> User:
    return UserFactory(username="gp.b", role=Role.GP, organisation=area.practice_b, teams=[area.practice_team_b])


@pytest.fixture
def care_coordinator(area: Area) -> User:
    return UserFactory(username="coordinator", role=Role.CARE_COORDINATOR, teams=[area.neighbourhood_team_a])


@pytest.fixture
def spa_clinician(area: Area) -> User:
    return UserFactory(username="spa", role=Role.SPA_CLINICIAN, teams=[area.spa_team])


@pytest.fixture
def mdt_chair(area: Area) -> User:
    return UserFactory(username="mdt.chair", role=Role.MDT_CHAIR, teams=[area.neighbourhood_team_a])


@pytest.fixture
def commissioner(area: Area) -> User:
    """Member of the neighbourhood team too, to prove the role, not the team, denies access."""
    return UserFactory(username="commissioner", role=Role.COMMISSIONER, teams=[area.neighbourhood_team_a])


@pytest.fixture
def admin(area: Area) -> User:
    return UserFactory(username="admin", role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)


@pytest.fixture
def deactivated_user(area: Area) -> User:
    return UserFactory(username="left", role=Role.GP, is_active=False, teams=[area.practice_team_a])


@pytest.fixture
def p1(area: Area) -> Patient:
    return PatientFactory(registered_practice=area.practice_a, given_name="Ada", family_name="Lovelace")


@pytest.fixture
def p2(area: Area) -> Patient:
    return PatientFactory(registered_practice=area.practice_b, given_name="Bea", family_name="Hidden")


# Ten digits, spaced or not, that are not part of a longer number. A UUID (a record's public id, a task id)
# is not an NHS number, though ten of its digits may run across its dashes: it is set aside first.
_TEN_DIGITS = re.compile(r"(?<![0-9])[0-9](?:(?:[^\S\n]|[-\u2010-\u2015]){0,3}[0-9]){9}(?![0-9])")
_NOT_DIGITS = re.compile(r"[^0-9]")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class NHSNumberWatch(logging.Handler):
    """Formats each record as a plain handler would (message, exception text, stack) and notes those
    whose output holds a valid NHS number, without repeating the number."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.leaks: list[str] = []
        self.reported = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record)
        except Exception:
            self.handleError(record)
            return
        text = _UUID.sub("<uuid>", text)
        numbers = [m for m in _TEN_DIGITS.findall(text) if is_valid_nhs_number(_NOT_DIGITS.sub("", m))]
        if numbers:
            for number in numbers:
                text = text.replace(number, "<NHS number>")
            self.leaks.append(text if len(text) <= 500 else text[:500] + " ...")

    def fail_on_new_leaks(self) -> None:
        leaks, self.reported = self.leaks[self.reported :], len(self.leaks)
        if leaks:
            pytest.fail(f"{len(leaks)} log record(s) held a valid NHS number:\n" + "\n".join(leaks), pytrace=False)


@pytest.fixture(autouse=True)
def no_nhs_number_in_logs() -> Iterator[NHSNumberWatch]:
    """Every logger logs down to DEBUG during the test and every record is checked, exception text
    included; a valid NHS number in the output fails the test (RELIABILITY 44, docs/adr/0014)."""
    watch = NHSNumberWatch()
    root = logging.getLogger()
    loggers = [root, *(x for x in logging.Logger.manager.loggerDict.values() if isinstance(x, logging.Logger))]
    raised = [(logger, logger.level) for logger in loggers if logger.level > logging.DEBUG]
    # Records of a logger that does not propagate never reach the root's handlers.
    ends = [logger for logger in loggers if logger is root or not logger.propagate]
    for logger, _ in raised:
        logger.setLevel(logging.DEBUG)
    for logger in ends:
        logger.addHandler(watch)
    try:
        yield watch
    finally:
        for logger in ends:
            logger.removeHandler(watch)
        for logger, level in raised:
            logger.setLevel(level)
    watch.fail_on_new_leaks()  # records of the teardown, or of a test that failed anyway


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    """A leak during the test's setup or body fails the test itself, not only its teardown."""
    result = yield
    watch = getattr(item, "funcargs", {}).get("no_nhs_number_in_logs")
    if watch is not None:
        watch.fail_on_new_leaks()
    return result
