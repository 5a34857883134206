"""No patient identifier, token or session id in any log line (RELIABILITY 44, docs/adr/0014).

The end-to-end tests read what the configured console handler writes, through its own filters and formatter.
"""

import datetime
import io
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from celery.utils.log import ColorFormatter
from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.db import IntegrityError, connection, transaction
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path
from django.utils.crypto import get_random_string
from hypothesis import example, given
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token

from caremodel.celery import app
from caremodel.logging import REDACTED, RedactIdentifiersFilter, redact
from patients.models import Patient
from patients.nhs_number import check_digit
from tests.patients.factories import PatientFactory

logger = logging.getLogger("caremodel.tests.logging")

NHS_NUMBER = "9434765919"
POSTCODE = "TN23 1AA"
BORN = datetime.date(1938, 4, 2)


@contextmanager
def console_output() -> Iterator[io.StringIO]:
    """Everything the configured console handler writes meanwhile."""
    handler = next(h for h in logging.getLogger().handlers if h.get_name() == "console")
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        yield stream
    finally:
        handler.setStream(previous)


# --- The patterns, as properties -------------------------------------------------------------------------------

valid_nhs_numbers = (
    st.text(alphabet="0123456789", min_size=9, max_size=9)
    .filter(lambda nine: check_digit(nine) is not None)
    .map(lambda nine: f"{nine}{check_digit(nine)}")
)
any_ten_digits = st.text(alphabet="0123456789", min_size=10, max_size=10)
separators = st.sampled_from(["", " ", "-", "  ", " - ", "\t", "\u2013"])
# Text around an identifier: anything but digits.
surroundings = st.text(alphabet=st.characters(exclude_categories=["Nd", "No", "Cs"]), max_size=20)


@st.composite
def written(draw: st.DrawFn, digits: str) -> str:
    """The ten digits cut 3-3-4, 5-5, not at all, or anywhere, with any separator (or none) at each cut."""
    cuts = draw(st.sampled_from([(3, 6), (5,), ()]) | st.sets(st.integers(1, 9), max_size=4).map(sorted))
    pieces = [digits[a:b] for a, b in zip((0, *cuts), (*cuts, 10), strict=True)]
    return "".join(piece + draw(separators) for piece in pieces[:-1]) + pieces[-1]


def _digits(text: str) -> str:
    return "".join(c for c in text if c in "0123456789")


numbers_as_written = st.one_of(valid_nhs_numbers, any_ten_digits).flatmap(lambda d: st.tuples(st.just(d), written(d)))


@given(numbers_as_written, surroundings, surroundings)
@example(("9434765919", "943 476 5919"), "looked up", "today")
@example(("9434765919", "943-476-5919"), "Key (nhs_number)=(", ") already exists.")
@example(("9434765918", "94347 65918"), "", "")
def test_nhs_numbers_in_any_grouping_are_redacted(number: tuple[str, str], before: str, after: str) -> None:
    digits, as_written = number
    out = redact(f"{before} {as_written} {after}")
    assert as_written not in out
    assert digits not in _digits(out)


def test_a_uuid_keeps_its_digits_though_ten_run_across_its_dashes() -> None:
    """Records are addressed by UUIDs; 9434765919 across these dashes is not an NHS number."""
    line = "Not Found: /api/v1/patients/abcdef94-3476-5919-abcd-ef0123456789/carers/"
    assert redact(line) == line
    assert redact(f"{line} for 943 476 5919") == f"{line} for {REDACTED}"
    assert redact("abcdef94-3476-5919 is no UUID") == f"abcdef{REDACTED} is no UUID"


@st.composite
def postcodes(draw: st.DrawFn) -> str:
    """Any UK postcode shape (A9, A99, AA9, AA99, A9A, AA9A, then 9AA), any case, with or without the space."""
    letter = st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    digit = st.sampled_from("0123456789")
    shape = draw(st.sampled_from(["A9", "A99", "AA9", "AA99", "A9A", "AA9A"]))
    outward = "".join(draw(letter if c == "A" else digit) for c in shape)
    inward = draw(digit) + draw(letter) + draw(letter)
    text = outward + draw(st.sampled_from(["", " ", "  "])) + inward
    return draw(st.sampled_from([text, text.lower(), text.title()]))


@given(postcodes(), surroundings, surroundings)
@example("TN23 1AA", "lives at", "")
@example("sw1a1aa", "", "")
@example("GIR 0AA", "", "")
def test_postcodes_are_redacted(postcode: str, before: str, after: str) -> None:
    out = redact(f"{before} {postcode} {after}")
    assert postcode not in out
    assert postcode.replace(" ", "").upper() not in out.replace(" ", "").upper()


DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%-d %B %Y", "%d %b %Y", "%B %-d, %Y", "%-d %b. %Y"]


@given(st.dates(datetime.date(1880, 1, 1), datetime.date(2099, 12, 31)), st.sampled_from(DATE_FORMATS), surroundings)
@example(BORN, "%-d %B %Y", "born")
def test_full_dates_are_redacted_in_every_common_form(day: datetime.date, form: str, before: str) -> None:
    as_written = day.strftime(form)
    out = redact(f"{before} {as_written}.")
    assert as_written not in out
    assert REDACTED in out


def test_python_date_reprs_are_redacted() -> None:
    out = redact(f"unexpected value {BORN!r} and {datetime.datetime(1938, 4, 2, 0, 0)!r}")
    assert "1938" not in out
    assert out == f"unexpected value {REDACTED} and {REDACTED}"


def test_tokens_session_keys_and_credential_headers_are_redacted() -> None:
    token = Token.generate_key()
    session_key = get_random_string(32, VALID_KEY_CHARS)
    csrf = get_random_string(64)
    lines = [
        f"Authorization: Token {token}",
        f"authorization=Bearer eyJhbGciOi.{session_key}",
        f"Cookie: sessionid={session_key}; csrftoken={csrf}",
        f"Set-Cookie: sessionid={session_key}; HttpOnly",
        f"{{'HTTP_AUTHORIZATION': 'Token {token}', 'HTTP_COOKIE': 'sessionid={session_key}'}}",
        f"{{'csrfmiddlewaretoken': ['{csrf}'], 'password': ['correct horse']}}",
        f"X-CSRFToken: {csrf}",
        f"sessionid={session_key}&csrftoken={csrf}",
        f"token {token} for session {session_key}",
    ]
    for line in lines:
        out = redact(line)
        assert token not in out, line
        assert session_key not in out, line
        assert csrf not in out, line
        assert REDACTED in out


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            'duplicate key value violates unique constraint "patients_patient_nhs_number_key"\n'
            "DETAIL:  Key (nhs_number)=(9434765919) already exists.",
            'duplicate key value violates unique constraint "patients_patient_nhs_number_key"\n'
            f"DETAIL:  Key (nhs_number)=({REDACTED}) already exists.",
        ),
        (
            "DETAIL:  Key (family_name, given_name, date_of_birth)=(Smith (Jones), Ann, 1938-04-02) already exists.",
            f"DETAIL:  Key (family_name, given_name, date_of_birth)=({REDACTED}) already exists.",
        ),
        (
            "DETAIL:  Key (lower(family_name::text))=(o'brien) already exists.",
            f"DETAIL:  Key (lower(family_name::text))=({REDACTED}) already exists.",
        ),
        (
            'DETAIL:  Key (patient_id)=(12) is not present in table "patients_patient".',
            f'DETAIL:  Key (patient_id)=({REDACTED}) is not present in table "patients_patient".',
        ),
        (
            "DETAIL:  Key (a, b)=(Smith, 1) conflicts with existing key (a, b)=(Smith, 2).",
            f"DETAIL:  Key (a, b)=({REDACTED}) conflicts with existing key (a, b)=({REDACTED}).",
        ),
        (
            "DETAIL:  Failing row contains (7, 9434765919, Ada, Lovelace, 1938-04-02, TN23 1AA, null).",
            f"DETAIL:  Failing row contains ({REDACTED})",
        ),
        ('invalid input syntax for type date: "Lovelace"', f'invalid input syntax for type date: "{REDACTED}"'),
        (
            'CONTEXT:  COPY activity_staging, line 3, column nhs_number: "Lovelace"',
            f'CONTEXT:  COPY activity_staging, line 3, column nhs_number: "{REDACTED}"',
        ),
        (
            "IntegrityError('duplicate key\\nDETAIL:  Key (family_name)=(Lovelace) already exists.\\n')",
            f"IntegrityError('duplicate key\\nDETAIL:  Key (family_name)=({REDACTED}) already exists.\\n')",
        ),
    ],
)
def test_values_in_database_error_details_are_redacted(message: str, expected: str) -> None:
    assert redact(message) == expected


def test_patient_names_are_redacted_where_the_product_puts_them() -> None:
    patient = Patient(given_name="Ada", family_name="Lovelace")
    assert redact(f"Cannot assign {patient!r}: wrong type") == f"Cannot assign <Patient: {REDACTED}>: wrong type"
    assert redact(f"merged {patient} into another record") == f"merged {REDACTED} into another record"
    for name in ["O'BRIEN, Seán", "SMITH-JONES, Zoë", "DE LA CRUZ, María"]:
        assert redact(f"patient {name}.") == f"patient {REDACTED}."
    assert redact("GET /patients/?family_name=Lovelace&dob=1938-04-02 HTTP/1.1") == (
        f"GET /patients/?family_name={REDACTED}&dob={REDACTED} HTTP/1.1"
    )


@pytest.mark.parametrize(
    "message",
    [
        "risk run 12 failed: RunIncomplete",
        "3 of 20 chunks were scored",
        "Internal Server Error: /patients/42/",
        "Not Found: /no-such-page/",
        "relationship lookup failed: OperationalError",
        # SQLite names the constraint and its columns, never a value.
        "UNIQUE constraint failed: patients_patient.nhs_number",
        "NOT NULL constraint failed: patients_patient.given_name",
        "patient data unavailable (OperationalError) on /patients/7/",
        "published run 123456789 of 1234567890123",
        "ODS code A81001, provider RVV01",
        'File "caremodel/views.py", line 120, in get\n    raise ValueError(message)',
    ],
)
def test_ordinary_messages_are_left_alone(message: str) -> None:
    assert redact(message) == message


# --- Records, handlers and the configured console ----------------------------------------------------------------


def test_exception_text_is_redacted_before_any_handler_formats_it() -> None:
    """A handler on a third-party logger, with a formatter of its own, never sees the exception object."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    third_party = logging.getLogger("axes.handlers.database")
    third_party.addHandler(handler)
    try:
        try:
            raise ValueError(f"no match for {NHS_NUMBER} at {POSTCODE}")
        except ValueError:
            third_party.warning("lookup of %s failed", NHS_NUMBER, exc_info=True, stack_info=True)
    finally:
        third_party.removeHandler(handler)
    out = stream.getvalue()
    assert f"lookup of {REDACTED} failed" in out
    assert f"ValueError: no match for {REDACTED} at {REDACTED}" in out
    assert "Traceback (most recent call last)" in out
    assert "Stack (most recent call last)" in out
    assert NHS_NUMBER not in out
    assert POSTCODE not in out


@app.task(name="caremodel.tests.fail_with_an_nhs_number")
def _fail_with_an_nhs_number() -> None:
    raise ValueError(f"no record for {NHS_NUMBER} born {BORN:%d/%m/%Y}")


def test_a_failed_celery_task_is_logged_through_celerys_own_formatter_without_identifiers() -> None:
    """As in a worker, where Celery replaces the root's handlers with its own."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(ColorFormatter("%(levelname)s %(name)s %(message)s", use_color=False))
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        result = _fail_with_an_nhs_number.apply(throw=False)
    finally:
        root.removeHandler(handler)
    assert result.failed()
    out = stream.getvalue()
    assert "ERROR celery.app.trace Task caremodel.tests.fail_with_an_nhs_number[" in out
    assert f"ValueError: no record for {REDACTED} born {REDACTED}" in out
    assert NHS_NUMBER not in out
    assert "02/04/1938" not in out


def test_a_record_made_without_the_factory_is_redacted_by_the_console_filter() -> None:
    try:
        raise ValueError(NHS_NUMBER)
    except ValueError as exc:
        record = logging.makeLogRecord(
            {"name": "celery", "levelno": logging.ERROR, "msg": "task for %s", "args": (NHS_NUMBER,)}
        )
        record.exc_info = (ValueError, exc, exc.__traceback__)
    assert RedactIdentifiersFilter().filter(record)
    assert record.getMessage() == f"task for {REDACTED}"
    assert record.exc_info is None
    assert record.exc_text is not None
    assert record.exc_text.endswith(f"ValueError: {REDACTED}")


def test_the_record_time_added_by_the_formatter_is_kept() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", datefmt="%Y-%m-%d"))
    logger.addHandler(handler)
    try:
        logger.warning("run published")
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue() == f"{datetime.date.today():%Y-%m-%d} run published\n"


def test_a_message_that_cannot_be_formatted_is_redacted_too(capsys) -> None:
    with console_output() as out:
        logger.warning("patient %s %s", NHS_NUMBER)
    assert NHS_NUMBER not in out.getvalue()
    assert NHS_NUMBER not in capsys.readouterr().err
    assert "could not be formatted" in out.getvalue()


def _fail_with_identifiers(request: HttpRequest) -> HttpResponse:
    raise ValueError(
        f"no record for NHS number 943 476 5919, postcode {POSTCODE}, born {BORN:%d/%m/%Y} ({BORN:%-d %B %Y}); "
        f"Authorization: {request.META.get('HTTP_AUTHORIZATION')}; cookies {request.COOKIES}"
    )


urlpatterns = [path("fail/", _fail_with_identifiers)]


@pytest.mark.urls(__name__)
@pytest.mark.django_db
def test_a_500_is_logged_by_django_request_without_identifiers_or_credentials(gp) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(gp)
    session_key = client.cookies["sessionid"].value
    csrf = get_random_string(32)
    client.cookies["csrftoken"] = csrf
    token = Token.objects.create(user=gp).key
    with console_output() as out:
        response = client.get("/fail/", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 500
    text = out.getvalue()
    assert "Internal Server Error: /fail/" in text
    assert "Traceback (most recent call last)" in text
    assert f"ValueError: no record for NHS number {REDACTED}, postcode {REDACTED}, born {REDACTED}" in text
    for secret in ("943 476 5919", POSTCODE, "02/04/1938", "2 April 1938", token, session_key, csrf):
        assert secret not in text


@pytest.mark.django_db
def test_a_duplicate_nhs_number_logged_with_its_exception_shows_no_number(p1) -> None:
    with console_output() as out:
        with pytest.raises(IntegrityError) as raised, transaction.atomic():
            PatientFactory(nhs_number=p1.nhs_number)
        logger.error("could not save the patient", exc_info=(raised.type, raised.value, raised.tb))
    text = out.getvalue()
    assert "IntegrityError" in text
    assert p1.nhs_number not in text
    if connection.vendor == "sqlite":
        assert "UNIQUE constraint failed: patients_patient.nhs_number" in text
    else:
        assert p1.nhs_number in str(raised.value)  # the database did put it there
        assert f"Key (nhs_number)=({REDACTED}) already exists." in text


def _postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (its error details carry the values)")


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_duplicate_key_detail_is_redacted_in_the_traceback(p1) -> None:
    _postgres_only()
    with console_output() as out:
        with pytest.raises(IntegrityError) as raised, transaction.atomic():
            PatientFactory(nhs_number=p1.nhs_number)
        logging.getLogger("django.request").error(
            "Internal Server Error: /patients/new/", exc_info=(raised.type, raised.value, raised.tb)
        )
    text = out.getvalue()
    assert "psycopg.errors.UniqueViolation" in text  # the cause is in the traceback too
    assert text.count(f"Key (nhs_number)=({REDACTED}) already exists.") >= 2
    assert p1.nhs_number not in text


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_failing_row_detail_shows_nothing_of_the_row(p1) -> None:
    _postgres_only()
    with console_output() as out:
        with pytest.raises(IntegrityError) as raised, transaction.atomic():
            Patient.objects.filter(pk=p1.pk).update(given_name=None)
        logger.error("could not update the patient", exc_info=(raised.type, raised.value, raised.tb))
    assert "Lovelace" in str(raised.value)  # the database put the whole row there
    text = out.getvalue()
    assert f"Failing row contains ({REDACTED})" in text
    for identifier in (p1.nhs_number, p1.family_name, p1.given_name, f"{p1.date_of_birth:%Y-%m-%d}", p1.postcode):
        assert identifier not in text
