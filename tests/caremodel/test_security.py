"""Headers, CSRF, sessions and login lockout (RELIABILITY 34-38)."""

import time

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from caremodel.middleware import AbsoluteSessionTimeoutMiddleware
from tests.caremodel.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9")


@pytest.mark.parametrize("path_name", ["home", "patients:lookup", "api-schema", "login"])
def test_pages_and_json_carry_security_headers(client, gp, path_name) -> None:
    if path_name != "login":
        client.force_login(gp)
    response = client.get(reverse(path_name))
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    assert response["X-Frame-Options"] == "DENY"


def test_404_pages_carry_headers_too(client, gp) -> None:
    client.force_login(gp)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert "frame-ancestors" in response["Content-Security-Policy"]


def test_csp_nonce_matches_the_inline_script(client) -> None:
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()


def test_session_writes_without_csrf_token_are_refused(gp, p1) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(gp)
    page = client.post(reverse("patients:lookup"), {"nhs_number": p1.nhs_number})
    api = client.post(reverse("api-patient-lookup"), {"nhs_number": p1.nhs_number}, content_type="application/json")
    assert page.status_code == 403
    assert api.status_code == 403


def test_session_key_rotates_at_login(client, gp) -> None:
    client.get(reverse("login"))
    client.session["probe"] = 1
    before = client.session.session_key
    response = _login(client, gp.username)
    assert response.status_code == 302
    assert client.session.session_key != before


def test_cookie_replayed_after_logout_is_refused(gp) -> None:
    client = Client()
    _login(client, gp.username)
    stolen = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = stolen
    response = replay.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_idle_session_expires(client, gp) -> None:
    _login(client, gp.username)
    session = client.session
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_COOKIE_AGE <= 30 * 60
    session.set_expiry(-1)  # the idle window has passed
    session.save()
    assert client.get(reverse("home")).status_code == 302


def test_absolute_session_timeout_holds_even_when_active(client, gp) -> None:
    _login(client, gp.username)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[AbsoluteSessionTimeoutMiddleware.key] = time.time() - settings.SESSION_ABSOLUTE_SECONDS - 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


def test_login_lockout_after_repeated_failures(client, gp) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, gp.username, "wrong-password").status_code == 200
    assert _login(client, gp.username, "wrong-password").status_code == 429
    locked = _login(client, gp.username, PASSWORD)
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_login_looks_the_same_whether_or_not_the_user_exists(client, gp) -> None:
    def main_of(response) -> str:
        body = response.content.decode()
        return body[body.index("<main") : body.index("</main>")].split("csrfmiddlewaretoken")[0]

    existing = _login(client, gp.username, "wrong-password")
    missing = _login(client, "no.such.user", "wrong-password")
    assert existing.status_code == missing.status_code == 200
    assert main_of(existing).replace(gp.username, "X") == main_of(missing).replace("no.such.user", "X")


def test_deactivated_user_cannot_log_in(client) -> None:
    UserFactory(username="left.trust", is_active=False)
    _login(client, "left.trust")
    assert "_auth_user_id" not in client.session


def test_no_nhs_number_reaches_a_log_line(caplog, client, gp, p1) -> None:
    import logging

    client.force_login(gp)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("caremodel.test").warning("looked up %s", p1.nhs_number)
        logging.getLogger("django.request").warning("Bad request for 943 476 5919")
        client.post(reverse("patients:lookup"), {"nhs_number": "943 476 5918"})
    messages = [record.getMessage() for record in caplog.records]
    assert messages, "expected log records to inspect"
    assert not [m for m in messages if p1.nhs_number in m or "5919" in m or "5918" in m]
    assert "looked up [redacted]" in messages
