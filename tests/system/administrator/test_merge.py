"""The administrator merges a probable duplicate; the kept record's blanks are filled from the other."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from tests.patients.factories import PatientFactory
from tests.system.axe import assert_accessible

BORN = datetime.date(1931, 7, 9)


@pytest.mark.browser
def test_administrator_merges_and_the_blanks_are_filled(page: Page, login, admin, area) -> None:
    keep = PatientFactory(given_name="Margaret", family_name="Smith", date_of_birth=BORN, postcode="")
    PatientFactory(given_name="Maggie", family_name="Smith", date_of_birth=BORN, postcode="TN24 9ZZ")
    login(page, admin.username)
    page.goto("/patients/duplicates/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Probable duplicate records")
    assert_accessible(page)
    n = keep.nhs_number
    page.get_by_role("button", name=re.compile(rf"^Keep {n[:3]} {n[3:6]} {n[6:]}")).click()
    expect(
        page.get_by_text(re.compile(r"Records merged into SMITH, Margaret.*Filled in from the other record: postcode"))
    ).to_be_visible()
    assert_accessible(page)
    keep.refresh_from_db()
    assert keep.postcode == "TN24 9ZZ"
