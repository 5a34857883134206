"""RELIABILITY 36 on production settings: the session and CSRF cookies a login sets are Secure,
HttpOnly and SameSite=Lax, read from the Set-Cookie headers a real server sends.

The production module's values are read with a deployment's environment (behind one proxy, as in
docker-compose.yml) and the live server runs under them; the test speaks HTTP to it as nginx
would, saying the client came over HTTPS."""

import http.client
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.caremodel.production_settings import production_settings

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct-horse-battery"
COOKIE_SETTINGS = (
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_SECURE",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_SECURE",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_SAMESITE",
    "SECURE_SSL_REDIRECT",
    "SECURE_PROXY_SSL_HEADER",
    "TRUSTED_PROXY_COUNT",
)


@pytest.fixture(scope="module")
def production() -> dict[str, Any]:
    return production_settings(*COOKIE_SETTINGS, TRUSTED_PROXY_COUNT="1")


@pytest.fixture
def server(live_server, production) -> Iterator[Any]:
    host = urlsplit(live_server.url).hostname
    with override_settings(**production, ALLOWED_HOSTS=[host]):
        yield live_server


class Answer:
    def __init__(self, response: http.client.HTTPResponse) -> None:
        self.status = response.status
        self.set_cookie = response.headers.get_all("Set-Cookie") or []
        self.location = response.headers.get("Location", "")
        self.body = response.read().decode()

    def cookie(self, name: str) -> tuple[str, set[str]]:
        """The value and the attributes (lower-cased) of the Set-Cookie line for `name`."""
        for line in self.set_cookie:
            first, *attributes = (part.strip() for part in line.split(";"))
            if first.split("=", 1)[0] == name:
                return first.split("=", 1)[1], {attribute.lower() for attribute in attributes}
        raise AssertionError(f"no Set-Cookie for {name} in {self.set_cookie}")


def _request(server: Any, method: str, path: str, *, body: str = "", headers: dict[str, str] | None = None) -> Answer:
    url = urlsplit(server.url)
    # What nginx adds in front of gunicorn (deploy/nginx.conf).
    proxied = {"Host": url.netloc, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=30)
    try:
        connection.request(method, path, body=body or None, headers={**proxied, **(headers or {})})
        return Answer(connection.getresponse())
    finally:
        connection.close()


def test_production_cookies_are_secure_httponly_and_samesite_lax(server, production, gp) -> None:
    page = _request(server, "GET", reverse("login"))
    assert page.status == 200
    csrf_cookie, _ = page.cookie(production["CSRF_COOKIE_NAME"])
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert token, "the login form carries its CSRF token"

    login = _request(
        server,
        "POST",
        reverse("login"),
        body=urlencode({"username": gp.username, "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"{production['CSRF_COOKIE_NAME']}={csrf_cookie}",
            "Origin": f"https://{urlsplit(server.url).netloc}",
        },
    )
    assert login.status == 302, login.body[:500]
    assert not login.location.startswith("http://")
    for name in (production["SESSION_COOKIE_NAME"], production["CSRF_COOKIE_NAME"]):
        value, attributes = login.cookie(name)
        assert value, name
        assert {"secure", "httponly", "samesite=lax"} <= attributes, (name, attributes)
