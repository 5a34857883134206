"""A GP finds a patient by NHS number, typed the way people write it, and opens the record."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.system.axe import assert_accessible
from tests.system.helpers import spaced


@pytest.mark.browser
def test_gp_finds_a_patient_from_the_home_page(page: Page, login, gp, p1) -> None:
    login(page, gp.username)  # lands on the home page, checked with axe once its panels loaded
    expect(page.get_by_role("heading", level=1)).to_have_text("Your practice")
    expect(page.get_by_role("heading", name="Your patients")).to_be_visible()

    page.get_by_label("NHS number").fill(spaced(p1.nhs_number))
    page.get_by_role("button", name="Find patient").click()

    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("LOVELACE, Ada")
    expect(page.locator("main")).to_contain_text(f"NHS number {spaced(p1.nhs_number)}")
    assert p1.nhs_number not in page.url  # the number travels in the POST body only
    assert_accessible(page)


@pytest.mark.browser
def test_gp_finds_a_patient_on_the_find_a_patient_page(page: Page, login, gp, p1) -> None:
    login(page, gp.username)
    page.goto("/patients/find/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a patient")
    assert_accessible(page)

    page.get_by_label("NHS number").fill(spaced(p1.nhs_number))
    page.get_by_role("button", name="Find patient").click()

    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("LOVELACE, Ada")
    expect(page.locator("main")).to_contain_text(spaced(p1.nhs_number))
    assert_accessible(page)


@pytest.mark.browser
def test_invalid_nhs_number_shows_the_error_summary_with_the_check_digit_rule(page: Page, login, gp) -> None:
    login(page, gp.username)
    page.goto("/patients/find/")
    assert_accessible(page)

    page.get_by_label("NHS number").fill("943 476 5918")  # 943 476 5919 with the wrong check digit
    page.get_by_role("button", name="Find patient").click()

    expect(page).to_have_title(re.compile(r"^Error: Find a patient"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("NHS number 9434765918 fails the check digit (Modulus 11).")
    # The summary links to the field, and the field carries the same message.
    expect(summary.get_by_role("link", name=re.compile("fails the check digit"))).to_have_attribute(
        "href", "#id_nhs_number"
    )
    expect(page.locator("#id_nhs_number-error")).to_contain_text("fails the check digit")
    expect(page.get_by_label("NHS number")).to_have_value("943 476 5918")
    assert_accessible(page)


@pytest.mark.browser
def test_gp_does_not_find_a_patient_without_a_care_relationship(page: Page, login, gp, p2) -> None:
    login(page, gp.username)
    page.goto("/patients/find/")
    assert_accessible(page)

    page.get_by_label("NHS number").fill(spaced(p2.nhs_number))
    page.get_by_role("button", name="Find patient").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Find a patient")
    expect(page.locator("main")).to_contain_text("No patient with that NHS number")
    expect(page.locator("body")).not_to_contain_text("Hidden")
    assert_accessible(page)
