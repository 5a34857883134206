"""A GP names a carer who is a patient too, found by searching, and sees them on the practice's carers register."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.patients.factories import PatientFactory
from tests.system.axe import assert_accessible
from tests.system.helpers import wait_for_panels


@pytest.mark.browser
def test_gp_adds_a_carer_who_is_a_patient(page: Page, login, gp, area, p1) -> None:
    PatientFactory(registered_practice=area.practice_a, given_name="Charles", family_name="Lovelace")
    login(page, gp.username)
    page.goto(f"/patients/{p1.public_id}/carers/add/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a carer")
    page.get_by_label("Someone who is a patient here").check()
    expect(page.get_by_label("Find the carer by name or NHS number")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Find the carer by name or NHS number").fill("charles")
    page.get_by_label("Relationship to the patient").fill("husband")
    page.get_by_role("button", name="Search").click()
    chosen = page.get_by_role("radio", name=re.compile(r"LOVELACE, Charles"))
    expect(chosen).to_be_visible()
    expect(page.get_by_label("Relationship to the patient")).to_have_value("husband")
    assert_accessible(page)

    chosen.check()
    page.get_by_label("This is the main carer").check()
    page.get_by_label("Availability").fill("Lives with the patient")
    page.get_by_role("button", name="Add carer").click()
    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    wait_for_panels(page)
    expect(page.get_by_role("table", name="Carers")).to_contain_text("LOVELACE, Charles")

    page.goto(f"/patients/practices/{area.practice_a.ods_code}/carers/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Carers register")
    register = page.get_by_role("table", name="Carers")
    expect(register).to_contain_text("LOVELACE, Charles")
    expect(register).to_contain_text("Patient here")
    assert_accessible(page)
