"""The other browser tests bypass the CSP so that axe can be injected. These keep the CSP
enforced and check the pages still work under it: htmx and the NHS.UK components (our own
scripts) run, the template's inline script runs with its nonce, and nothing is refused."""

import re

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect

from tests.system.helpers import log_in, spaced

CSP_REFUSAL = re.compile(r"Content Security Policy|Refused to (execute|load|apply|connect)", re.IGNORECASE)
NHS_FONTS = "https://assets.nhs.uk/fonts/"


def refusals_on_a_gp_journey(page: Page, username: str, patient) -> list[str]:
    """Log in, let htmx load the home panel, look a patient up; return what the CSP refused."""
    refusals: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if CSP_REFUSAL.search(message.text):
            refusals.append(message.text)

    page.on("console", on_console)
    page.on("pageerror", lambda error: refusals.append(f"page error: {error}"))

    log_in(page, username, check_accessibility=False)
    # htmx (one of our scripts) replaced the loading placeholder with the panel.
    expect(page.get_by_role("heading", name="Your patients")).to_be_visible()
    # The NHS.UK template's inline js-enabled switch ran, so its nonce was accepted.
    expect(page.locator("body")).to_have_class(re.compile(r"\bjs-enabled\b"))
    page.get_by_label("NHS number").fill(spaced(patient.nhs_number))
    page.get_by_role("button", name="Find patient").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("LOVELACE, Ada")
    return refusals


@pytest.mark.browser
@pytest.mark.browser_context_args(bypass_csp=False)
def test_pages_work_under_their_own_csp(page: Page, gp, p1) -> None:
    refusals = refusals_on_a_gp_journey(page, gp.username, p1)
    assert refusals == []


@pytest.mark.browser
@pytest.mark.browser_context_args(bypass_csp=False)
def test_nhs_fonts_are_allowed_by_the_csp(page: Page, gp, p1) -> None:
    refusals = refusals_on_a_gp_journey(page, gp.username, p1)
    assert [r for r in refusals if NHS_FONTS in r] == []
