"""A care coordinator changes the living situation and adds a condition and a carer on the record page."""

import re

import pytest
from playwright.sync_api import Page, expect

from patients.models import ClinicalCode
from tests.system.axe import assert_accessible
from tests.system.helpers import wait_for_panels


@pytest.mark.browser
def test_care_coordinator_edits_the_living_situation(page: Page, login, care_coordinator, p1) -> None:
    login(page, care_coordinator.username)
    page.goto(f"/patients/{p1.public_id}/")
    wait_for_panels(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("LOVELACE, Ada")
    assert_accessible(page)

    page.get_by_role("link", name="Change living situation and contacts").click()
    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/registers/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Living situation and contacts")
    assert_accessible(page)

    # An interpreter without a language is refused, naming the field.
    page.get_by_role("group", name="Interpreter needed").get_by_label("Yes").check()
    page.get_by_role("button", name="Save changes").click()
    expect(page).to_have_title(re.compile(r"^Error: Living situation"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Say which language the interpreter is needed for.")
    expect(summary.get_by_role("link", name=re.compile("Say which language"))).to_have_attribute(
        "href", "#id_preferred_language"
    )
    assert_accessible(page)

    page.get_by_role("group", name="Lives alone").get_by_label("Yes").check()
    page.get_by_role("group", name="Housebound").get_by_label("Yes").check()
    page.get_by_label("Preferred language").fill("Welsh")
    page.get_by_role("button", name="Save changes").click()

    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    wait_for_panels(page)
    living = page.locator("main dl").nth(1)
    expect(living).to_contain_text(re.compile(r"Lives alone\s*Yes"))
    expect(living).to_contain_text(re.compile(r"Housebound\s*Yes"))
    expect(living).to_contain_text("Welsh")
    assert_accessible(page)
    p1.refresh_from_db()
    assert (p1.lives_alone, p1.housebound, p1.preferred_language, p1.version) == (True, True, "Welsh", 2)


@pytest.mark.browser
def test_care_coordinator_adds_a_condition_and_a_carer(page: Page, login, care_coordinator, p1) -> None:
    # The live server's database is flushed between tests, so the code is made here.
    ClinicalCode.objects.get_or_create(
        code="84114007",
        defaults={"term": "Heart failure", "long_term_condition": "heart_failure", "frailty_deficit": "heart_failure"},
    )
    login(page, care_coordinator.username)
    page.goto(f"/patients/{p1.public_id}/")
    wait_for_panels(page)

    page.get_by_role("link", name="Add a condition").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a condition")
    assert_accessible(page)
    page.get_by_label("Condition").select_option(label="Heart failure")
    onset = page.get_by_role("group", name="Onset date")
    onset.get_by_label("Day").fill("31")
    onset.get_by_label("Month").fill("2")
    onset.get_by_label("Year").fill("2019")
    page.get_by_role("button", name="Add condition").click()
    expect(page).to_have_title(re.compile(r"^Error: Add a condition"))
    expect(page.get_by_role("alert")).to_contain_text("Onset date must be a real date.")
    expect(page.get_by_role("alert").get_by_role("link")).to_have_attribute("href", "#id_onset_date_day")
    assert_accessible(page)
    onset.get_by_label("Day").fill("15")
    onset.get_by_label("Month").fill("3")
    page.get_by_role("button", name="Add condition").click()
    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    wait_for_panels(page)
    expect(page.get_by_role("table", name=re.compile("Conditions"))).to_contain_text("Heart failure")
    assert_accessible(page)

    page.get_by_role("link", name="Add a carer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a carer")
    assert_accessible(page)
    page.get_by_label("Someone who is not a patient here").check()
    page.get_by_role("button", name="Add carer").click()
    expect(page).to_have_title(re.compile(r"^Error: Add a carer"))
    expect(page.get_by_role("alert")).to_contain_text("Enter the carer's name.")
    assert_accessible(page)
    page.get_by_label("Carer's name").fill("Grace Hopper")
    page.get_by_label("Relationship to the patient").fill("neighbour")
    page.get_by_label("This is the main carer").check()
    page.get_by_role("button", name="Add carer").click()
    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    wait_for_panels(page)
    expect(page.get_by_role("table", name="Carers")).to_contain_text("Grace Hopper")
    assert_accessible(page)
