"""A GP opens "Patients", searches by family name and by NHS number, and opens a record
with its demographics, registers, timeline and the risk panel (served by stratification)."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from patients.models import ClinicalCode
from tests.patients.factories import ActivityEventFactory, CarerFactory, ConditionFactory
from tests.system.axe import assert_accessible
from tests.system.helpers import spaced, wait_for_panels


@pytest.fixture
def p1_record(p1):
    # The live server's database is flushed between tests, so the code is made here.
    heart_failure, _ = ClinicalCode.objects.get_or_create(
        code="84114007",
        defaults={"term": "Heart failure", "long_term_condition": "heart_failure", "frailty_deficit": "heart_failure"},
    )
    ConditionFactory(patient=p1, code=heart_failure, onset_date=datetime.date(2015, 1, 1))
    CarerFactory(patient=p1, carer_name="Jo Carer", relationship="daughter")
    ActivityEventFactory(patient=p1, event_date=datetime.date(2024, 5, 1))
    return p1


def _open_patients(page: Page) -> None:
    page.get_by_role("link", name="Patients", exact=True).first.click()
    page.wait_for_url(re.compile(r"/patients/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Patients")
    assert_accessible(page)


def _check_record(page: Page, patient) -> None:
    page.wait_for_url(re.compile(rf"/patients/{patient.public_id}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("LOVELACE, Ada")
    main = page.locator("main")
    expect(main).to_contain_text(f"NHS number {spaced(patient.nhs_number)}")
    expect(main).to_contain_text("Date of birth")
    expect(main).to_contain_text("Registered GP practice")
    expect(page.get_by_role("heading", name="Registers")).to_be_visible()
    expect(main).to_contain_text("Heart failure")
    expect(page.get_by_role("heading", name="Carers")).to_be_visible()
    expect(main).to_contain_text("Jo Carer")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(main).to_contain_text("Emergency admission")
    wait_for_panels(page)
    expect(page.get_by_role("heading", name="Risk and frailty")).to_be_visible()
    expect(main).to_contain_text("No risk score yet: no risk run has been published.")
    assert_accessible(page)


@pytest.mark.browser
def test_gp_searches_by_family_name_and_opens_the_record(page: Page, login, gp, p1_record, p2) -> None:
    login(page, gp.username)
    _open_patients(page)

    page.get_by_label("Name or NHS number").fill("lovelace")
    page.get_by_role("button", name="Search").click()

    results = page.get_by_role("table")
    expect(results.get_by_role("link", name="LOVELACE, Ada")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text("Hidden")
    assert_accessible(page)

    results.get_by_role("link", name="LOVELACE, Ada").click()
    _check_record(page, p1_record)


@pytest.mark.browser
def test_gp_searches_by_nhs_number_in_the_search_form(page: Page, login, gp, p1_record) -> None:
    login(page, gp.username)
    _open_patients(page)

    page.get_by_label("Name or NHS number").fill(spaced(p1_record.nhs_number))
    page.get_by_role("button", name="Search").click()

    expect(page.get_by_role("table").get_by_role("link", name="LOVELACE, Ada")).to_be_visible()
    assert p1_record.nhs_number not in page.url  # the search is POSTed
    assert_accessible(page)

    page.get_by_role("table").get_by_role("link", name="LOVELACE, Ada").click()
    _check_record(page, p1_record)
