"""Steps shared by the browser tests of every role."""

from playwright.sync_api import Page, expect

from conftest import PASSWORD
from tests.system.axe import assert_accessible


def log_in(page: Page, username: str, password: str = PASSWORD, *, check_accessibility: bool = True) -> None:
    """Log in through the real login form (CSRF token, django-axes and all) and land on the
    home page with its htmx panels loaded, checking both pages with axe."""
    page.goto("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to CareModel")
    if check_accessibility:
        assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("/")
    expect(page.get_by_role("link", name="Log out")).to_be_visible()
    wait_for_panels(page)
    if check_accessibility:
        assert_accessible(page)


def wait_for_panels(page: Page) -> None:
    """Home pages load their panels with htmx (hx-trigger="load", swapped outerHTML): wait
    until every placeholder has been replaced. A panel that fails to load keeps its
    placeholder, and the test fails here."""
    expect(page.locator("[hx-trigger='load']")).to_have_count(0)


def spaced(nhs_number: str) -> str:
    """An NHS number as people write it: 999 123 4567."""
    return f"{nhs_number[:3]} {nhs_number[3:6]} {nhs_number[6:]}"
