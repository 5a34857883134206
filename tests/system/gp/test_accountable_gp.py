"""A GP names the accountable GP and key worker from the staff of the teams covering the practice."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.system.axe import assert_accessible
from tests.system.helpers import wait_for_panels


@pytest.mark.browser
def test_gp_names_the_accountable_gp_and_key_worker(page: Page, login, gp, gp_b, care_coordinator, p1) -> None:
    gp.first_name, gp.last_name = "Amira", "Shah"
    gp.save(update_fields=["first_name", "last_name"])
    gp_b.first_name, gp_b.last_name = "Tom", "Reeve"
    gp_b.save(update_fields=["first_name", "last_name"])
    login(page, gp.username)
    page.goto(f"/patients/{p1.public_id}/registers/")
    gp_field = page.get_by_label("Accountable GP")
    expect(gp_field.locator("option")).to_have_text(["None named", "Amira Shah"])  # not the other practice's GP
    assert_accessible(page)
    gp_field.select_option(label="Amira Shah")
    page.get_by_label("Key worker").select_option(value=str(care_coordinator.pk))
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    wait_for_panels(page)
    expect(page.locator("main dl").nth(1)).to_contain_text(re.compile(r"Accountable GP\s*Amira Shah"))
    assert_accessible(page)
