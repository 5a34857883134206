"""Logging out: the header's link asks first, the button ends the session."""

import pytest
from playwright.sync_api import Page, expect

from tests.system.axe import assert_accessible


@pytest.mark.browser
def test_log_out_from_the_header_returns_to_the_login_page(page: Page, login, gp) -> None:
    login(page, gp.username)  # the home page, checked with axe once its htmx panels loaded

    page.get_by_role("link", name="Log out").click()
    page.wait_for_url("/accounts/logout/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log out of CareModel")
    assert_accessible(page)

    page.get_by_role("main").get_by_role("button", name="Log out").click()
    page.wait_for_url("/accounts/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in to CareModel")
    expect(page.get_by_role("link", name="Log out")).to_have_count(0)
    assert_accessible(page)

    # The session is over: the home page sends us back to log in.
    page.goto("/")
    page.wait_for_url("/accounts/login/?next=/")
    assert_accessible(page)
