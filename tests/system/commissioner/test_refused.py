"""A commissioner sees aggregates only: a patient's page, even by its direct address, is refused."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.system.axe import assert_accessible
from tests.system.helpers import spaced


@pytest.mark.browser
def test_commissioner_home_shows_aggregates(page: Page, login, commissioner, p1) -> None:
    login(page, commissioner.username)  # the home page, checked with axe once its htmx panels loaded
    expect(page.get_by_role("heading", level=1)).to_have_text("Your health and care system")
    expect(page.get_by_role("table", name="Registered population by cluster")).to_be_visible()
    expect(page.locator("body")).not_to_contain_text(p1.family_name.upper())


@pytest.mark.browser
def test_commissioner_opening_a_patient_page_directly_is_refused(page: Page, login, commissioner, p1) -> None:
    login(page, commissioner.username)

    response = page.goto(f"/patients/{p1.public_id}/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    expect(page).to_have_title(re.compile(r"^You cannot see this page"))
    body = page.locator("body")
    for private in (p1.family_name, p1.family_name.upper(), p1.given_name, p1.nhs_number, spaced(p1.nhs_number)):
        expect(body).not_to_contain_text(private)
    assert p1.family_name.upper() not in page.content()  # nor anywhere in the markup
    assert_accessible(page)


@pytest.mark.browser
def test_commissioner_cannot_use_the_find_a_patient_page(page: Page, login, commissioner) -> None:
    login(page, commissioner.username)

    response = page.goto("/patients/find/")

    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot see this page")
    expect(page.get_by_label("NHS number")).to_have_count(0)
    assert_accessible(page)
