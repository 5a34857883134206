"""Browser tests: Debian's Chromium, driven by Playwright, against pytest-django's live server.

The live server runs in a thread of this process and the tests use a transactional
database (live_server implies it), so rows built here with the factories are committed
and visible to the server. The users and patients come from the root conftest.py
(GP-A, the commissioner, P1 at GP-A's practice, P2 elsewhere).

Without Chromium the tests skip with a message, unless CAREMODEL_REQUIRE_BROWSER=1 (CI
sets it): then they fail, so a CI image without a browser cannot pass by skipping.
"""

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from tests.system.helpers import log_in

# Playwright's sync API runs an asyncio event loop in the test thread. Django's ORM sees
# a running loop and refuses synchronous queries (SynchronousOnlyOperation) unless told
# they are safe. They are: the tests and the live server are plain synchronous code.
# Set at import so it holds for every test of a session that starts Playwright.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Debian's chromium package; CAREMODEL_CHROMIUM points elsewhere (or nowhere, to try the skip).
CHROMIUM = Path(os.environ.get("CAREMODEL_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Generous for a loaded 2-core CI runner, short enough that a hang fails fast.
TIMEOUT_MS = 15_000


def _browser_required() -> bool:
    return os.environ.get("CAREMODEL_REQUIRE_BROWSER", "") == "1"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Launch the system Chromium; Playwright's own browser downloads are not used."""
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium package "
            "(apt-get install chromium)."
        )
        if _browser_required():
            pytest.fail(f"{message} CAREMODEL_REQUIRE_BROWSER=1, so this is an error, not a skip.", pytrace=False)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": str(CHROMIUM), "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any], live_server: Any) -> dict[str, Any]:
    # bypass_csp: the app's CSP allows only its own scripts and a per-response nonce
    # (caremodel/middleware.py). Playwright injects axe-core as an inline <script> without
    # that nonce, so the browser would refuse it. Bypassing the CSP in the test context is
    # what lets axe run on every page; test_pages_work_under_their_own_csp checks the
    # pages separately with the CSP enforced.
    return {**browser_context_args, "base_url": live_server.url, "bypass_csp": True, "locale": "en-GB"}


@pytest.fixture
def context(context: BrowserContext, live_server: Any) -> BrowserContext:
    """Only the live server is reachable: the tests never depend on the internet. (The
    NHS.UK stylesheet asks for its fonts from assets.nhs.uk; they are refused here, as
    the app's own CSP refuses them, and the fallback fonts are used.)"""
    origin = live_server.url.rstrip("/") + "/"
    context.route(lambda url: not url.startswith(origin), lambda route: route.abort("blockedbyclient"))
    return context


@pytest.fixture
def page(page: Page) -> Page:
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    return page


@pytest.fixture
def login() -> Callable[..., None]:
    """`login(page, username)`: the login helper as a fixture, for tests that prefer it."""
    return log_in


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test here drives a browser, so each must carry the `browser` marker
    (`pytest -m "not browser"` must leave them all out)."""
    here = Path(__file__).parent
    unmarked = [
        item.nodeid
        for item in items
        if here in Path(str(item.path)).parents and item.get_closest_marker("browser") is None
    ]
    if unmarked:
        raise pytest.UsageError("Browser tests without @pytest.mark.browser: " + ", ".join(unmarked))
