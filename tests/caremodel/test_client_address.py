"""The client address behind (or without) a proxy, for the login lockout and the audit trail
(RELIABILITY 38 and 39, docs/adr/0013).

The tests run under the production module's own values (read with a deployment's environment),
first as deployed with no TRUSTED_PROXY_COUNT, then with TRUSTED_PROXY_COUNT=1 as behind the
compose stack's nginx, which appends the address it saw to X-Forwarded-For."""

from collections.abc import Iterator
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from caremodel.middleware import client_ip
from caremodel.models import AuditEvent
from tests.caremodel.production_settings import production_settings

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"
# What decides whose address a request carries: the proxy count, the lockout's use of it, and
# whether X-Forwarded-Proto is believed.
PROXY_SETTINGS = (
    "TRUSTED_PROXY_COUNT",
    "AXES_CLIENT_IP_CALLABLE",
    "AXES_IPWARE_PROXY_COUNT",
    "AXES_IPWARE_META_PRECEDENCE_ORDER",
    "AXES_IPWARE_PROXY_ORDER",
    "AXES_IPWARE_PROXY_TRUSTED_IPS",
    "AXES_FAILURE_LIMIT",
    "AXES_LOCKOUT_PARAMETERS",
    "SECURE_PROXY_SSL_HEADER",
)
CLIENT = "203.0.113.9"  # the address the request really came from
OTHER_CLIENT = "203.0.113.10"
PROXY = "172.18.0.5"  # nginx, as gunicorn sees it


@pytest.fixture(scope="module")
def as_deployed() -> dict[str, Any]:
    return production_settings(*PROXY_SETTINGS)


@pytest.fixture(scope="module")
def behind_one_proxy() -> dict[str, Any]:
    return production_settings(*PROXY_SETTINGS, TRUSTED_PROXY_COUNT="1")


@pytest.fixture
def no_proxy(as_deployed) -> Iterator[dict[str, Any]]:
    with override_settings(**as_deployed):
        yield as_deployed


@pytest.fixture
def one_proxy(behind_one_proxy) -> Iterator[dict[str, Any]]:
    with override_settings(**behind_one_proxy):
        yield behind_one_proxy


def _login(client: Client, username: str, password: str, **headers: str):
    return client.post(reverse("login"), {"username": username, "password": password}, **headers)


def _forged(i: int) -> str:
    """What an attacker talking straight to the application writes: any addresses, as many as it
    takes for a proxy count to land on one it chose."""
    return f"198.51.100.{i}, 192.0.2.{i}"


def test_without_a_trusted_proxy_production_believes_no_forwarding_header(as_deployed) -> None:
    assert as_deployed["TRUSTED_PROXY_COUNT"] == 0
    assert as_deployed["SECURE_PROXY_SSL_HEADER"] is None


def test_forged_forwarded_for_values_do_not_escape_the_lockout(client, gp, no_proxy) -> None:
    attempts = no_proxy["AXES_FAILURE_LIMIT"] + 1
    answers = [
        _login(client, gp.username, "wrong-password", REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=_forged(i)).status_code
        for i in range(attempts)
    ]
    assert answers == [200] * (attempts - 2) + [429, 429]
    locked = _login(client, gp.username, PASSWORD, REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=_forged(99))
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}


def test_the_audit_ignores_a_forged_forwarded_for(client, gp, p1, no_proxy) -> None:
    client.force_login(gp)
    response = client.get(
        reverse("patients:detail", args=[p1.public_id]), REMOTE_ADDR=CLIENT, HTTP_X_FORWARDED_FOR=_forged(7)
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(patient_id=p1.pk).client_ip == CLIENT


def test_a_client_cannot_claim_https_without_a_trusted_proxy(client, no_proxy) -> None:
    """X-Forwarded-Proto is a proxy header too: believed only from a trusted proxy."""
    with override_settings(SECURE_SSL_REDIRECT=True):
        claimed = client.get(reverse("login"), HTTP_X_FORWARDED_PROTO="https")
    assert claimed.status_code == 301
    assert claimed["Location"].startswith("https://")


def test_behind_a_trusted_proxy_its_word_on_https_is_taken(client, one_proxy) -> None:
    with override_settings(SECURE_SSL_REDIRECT=True):
        assert client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https").status_code == 200
        assert client.get(reverse("login"), REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="http").status_code == 301


def test_behind_one_proxy_the_lockout_keys_on_the_address_the_proxy_appended(client, gp, one_proxy) -> None:
    attempts = one_proxy["AXES_FAILURE_LIMIT"] + 1
    answers = [
        _login(
            client, gp.username, "wrong-password", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"198.51.100.{i}, {CLIENT}"
        ).status_code
        for i in range(attempts)
    ]
    assert answers == [200] * (attempts - 2) + [429, 429]
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {CLIENT}
    # Another client behind the same proxy, whatever it forges, is not locked out with it.
    other = Client()
    allowed = _login(other, gp.username, PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"{CLIENT}, {OTHER_CLIENT}")
    assert allowed.status_code == 302
    assert other.session["_auth_user_id"] == str(gp.pk)


def test_behind_one_proxy_the_audit_records_the_address_the_proxy_appended(client, gp, p1, one_proxy) -> None:
    client.force_login(gp)
    response = client.get(
        reverse("patients:detail", args=[p1.public_id]),
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=f"198.51.100.66, {CLIENT}",
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(patient_id=p1.pk).client_ip == CLIENT


def test_the_lockout_answers_the_same_whether_or_not_the_user_exists(client, gp, no_proxy) -> None:
    """RELIABILITY 38: counting, locking and the locked page do not tell a real username apart."""

    def main_of(response) -> str:
        body = response.content.decode()
        return body[body.index("<main") : body.index("</main>")].split("csrfmiddlewaretoken")[0]

    attempts = no_proxy["AXES_FAILURE_LIMIT"] + 1
    existing = [_login(client, gp.username, "wrong-password", REMOTE_ADDR=CLIENT) for _ in range(attempts)]
    missing = [_login(client, "no.such.user", "wrong-password", REMOTE_ADDR=CLIENT) for _ in range(attempts)]
    assert [r.status_code for r in existing] == [r.status_code for r in missing] == [200] * (attempts - 2) + [429, 429]
    for real, unknown in zip(existing, missing, strict=True):
        assert main_of(real).replace(gp.username, "X") == main_of(unknown).replace("no.such.user", "X")
        assert real.headers.get("Content-Type") == unknown.headers.get("Content-Type")


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        (0, CLIENT, "198.51.100.1", CLIENT),
        (0, CLIENT, "", CLIENT),
        (0, "not-an-address", "198.51.100.1", None),
        (1, PROXY, f"198.51.100.1, {CLIENT}", CLIENT),
        (1, PROXY, f"{CLIENT}", CLIENT),
        (1, PROXY, f"198.51.100.1,{CLIENT} ", CLIENT),
        (1, PROXY, "", PROXY),  # nothing appended: the peer is all we know
        (1, PROXY, "198.51.100.1, not-an-address", PROXY),
        (2, PROXY, f"198.51.100.1, {CLIENT}, 10.0.0.2", CLIENT),  # a load balancer, then nginx
        (2, PROXY, f"{CLIENT}", PROXY),  # shorter than the proxies that should have appended
        (1, PROXY, "198.51.100.1, 2001:DB8::0:1", "2001:db8::1"),
        (1, PROXY, "198.51.100.1, fe80::1%eth0", "fe80::1"),
    ],
)
def test_the_client_address_is_counted_from_the_right(proxies, remote, forwarded, expected) -> None:
    headers = {"REMOTE_ADDR": remote}
    if forwarded:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    with override_settings(TRUSTED_PROXY_COUNT=proxies):
        assert client_ip(RequestFactory().get("/", **headers)) == expected
