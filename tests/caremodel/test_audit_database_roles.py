"""The audit trail is out of the application's reach on PostgreSQL (RELIABILITY 42, docs/adr/0012).

The table refuses TRUNCATE to every role, its owner included; and an application role made the
way the ADR says (deploy/postgres/app-grants.sql, run here as written) can append and read audit
rows but not update, delete, empty or unprotect them, while it can still do its ordinary work
and the nightly run's partition DDL."""

import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from psycopg import errors, sql

from caremodel.audit import audit_record
from caremodel.models import AuditAction, AuditEvent, AuditOutcome

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
GRANTS = ROOT / "deploy" / "postgres" / "app-grants.sql"
AUDIT = "caremodel_auditevent"
INSERT_AUDIT = f"""
    INSERT INTO {AUDIT} (occurred_at, username, role, action, outcome, relationship, resource, source, detail)
    VALUES (now(), 'app', '', 'view', 'allowed', '', 'patient', 'test', '{{}}') RETURNING id
"""  # noqa: S608 - constant table name


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the triggers and roles are PostgreSQL's")


def _quoted(name: str) -> str:
    return sql.Identifier(name).as_string(connection.connection)


@pytest.fixture
def app_role() -> Iterator[tuple[str, str]]:
    """A login role made as the ADR says, with a unique name; its grants and ownership are handed
    back to the test database's owner and the role dropped afterwards."""
    name = f"caremodel_app_test_{secrets.token_hex(4)}"
    password = secrets.token_urlsafe(16)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}")
            .format(sql.Identifier(name), sql.Literal(password))
            .as_string(connection.connection)
        )
    try:
        # The file as an operator runs it with psql -v owner=... -v app=...
        script = GRANTS.read_text().replace(':"owner"', _quoted(owner)).replace(':"app"', _quoted(name))
        with connection.cursor() as cursor:
            cursor.execute(script)
        yield name, password
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"REASSIGN OWNED BY {_quoted(name)} TO {_quoted(owner)}")
            cursor.execute(f"DROP OWNED BY {_quoted(name)}")
            cursor.execute(f"DROP ROLE {_quoted(name)}")


def _connect(role: tuple[str, str]) -> psycopg.Connection:
    settings = connection.settings_dict
    return psycopg.connect(
        host=settings["HOST"] or None,
        port=settings["PORT"] or None,
        dbname=settings["NAME"],
        user=role[0],
        password=role[1],
        autocommit=True,
    )


def test_truncate_is_refused_even_to_the_tables_owner(gp) -> None:
    event = audit_record(user=gp, action=AuditAction.VIEW, outcome=AuditOutcome.ALLOWED, patient_id=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_userbyid(relowner) = current_user FROM pg_class WHERE relname = %s", [AUDIT])
        assert cursor.fetchone()[0] is True, "this connection owns the audit table"
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {AUDIT}")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {AUDIT} RESTART IDENTITY CASCADE")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_application_role_appends_and_reads_but_cannot_rewrite_empty_or_unprotect(app_role) -> None:
    with _connect(app_role) as app:
        written = app.execute(INSERT_AUDIT).fetchone()[0]
        assert app.execute(f"SELECT count(*) FROM {AUDIT} WHERE id = %s", [written]).fetchone()[0] == 1  # noqa: S608
        refused = {
            "update": f"UPDATE {AUDIT} SET outcome = 'denied' WHERE id = {written}",  # noqa: S608
            "delete": f"DELETE FROM {AUDIT} WHERE id = {written}",  # noqa: S608
            "truncate": f"TRUNCATE {AUDIT}",
            "disable trigger": f"ALTER TABLE {AUDIT} DISABLE TRIGGER caremodel_auditevent_no_truncate",
            "disable all triggers": f"ALTER TABLE {AUDIT} DISABLE TRIGGER ALL",
            "drop": f"DROP TABLE {AUDIT}",
            "take ownership": f"ALTER TABLE {AUDIT} OWNER TO {_quoted(app_role[0])}",
        }
        messages = {}
        for what, statement in refused.items():
            with pytest.raises(errors.InsufficientPrivilege) as refusal:
                app.execute(statement)
            messages[what] = str(refusal.value)
    # Refused for want of privilege, before the triggers are even reached.
    assert all("permission denied" in messages[what] for what in ("update", "delete", "truncate"))
    assert all("must be owner" in messages[what] for what in ("disable trigger", "disable all triggers", "drop"))
    assert AuditEvent.objects.filter(pk=written, outcome=AuditOutcome.ALLOWED).exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT has_table_privilege(%s, %s, 'INSERT'), has_table_privilege(%s, %s, 'SELECT'), "
            "has_table_privilege(%s, %s, 'UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES')",
            [app_role[0], AUDIT] * 3,
        )
        assert cursor.fetchone() == (True, True, False)


def test_the_application_role_still_does_its_work(app_role, p1) -> None:
    """Ordinary writes, tables that later migrations create (default privileges), and the nightly
    run's partition of the risk scores, which only the partitioned table's owner may attach."""
    later = f"caremodel_later_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE {later} (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)")
    try:
        with _connect(app_role) as app:
            assert app.execute("UPDATE patients_patient SET version = version + 1 WHERE id = %s", [p1.pk]).rowcount == 1
            app.execute(f"INSERT INTO {later} (note) VALUES ('new')")  # noqa: S608
            assert app.execute(f"UPDATE {later} SET note = 'changed'").rowcount == 1  # noqa: S608
            assert app.execute(f"DELETE FROM {later}").rowcount == 1  # noqa: S608
            run = 2_000_000_000
            partition = f"stratification_riskscore_r{run}"
            app.execute(f"CREATE TABLE {partition} PARTITION OF stratification_riskscore FOR VALUES IN ({run})")
            app.execute(f"DROP TABLE {partition}")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {later}")
    p1.refresh_from_db()
    assert p1.version == 2


def test_the_test_runs_flush_empties_the_audit_table_and_leaves_it_protected(gp) -> None:
    """Transactional tests are emptied with TRUNCATE; the root conftest's flush switches the
    trigger off for its own transaction only."""
    audit_record(user=gp, action=AuditAction.VIEW, outcome=AuditOutcome.ALLOWED, patient_id=1)
    call_command("flush", interactive=False, verbosity=0)
    assert not AuditEvent.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tgenabled FROM pg_trigger WHERE tgname = 'caremodel_auditevent_no_truncate' AND NOT tgisinternal"
        )
        assert cursor.fetchone() == ("O",)
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {AUDIT}")
