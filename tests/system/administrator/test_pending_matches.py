"""The administrator applies an import row without an NHS number to a record chosen among the candidates."""

import datetime
import re

import pytest
from playwright.sync_api import Page, expect

from patients.models import ActivityEvent, PendingMatch
from tests.patients.factories import PatientFactory
from tests.system.axe import assert_accessible

BORN = datetime.date(1936, 2, 1)


@pytest.fixture
def events_removed_after(live_server):
    """Events go before the live server's database is flushed: a patient who still has events
    cannot be deleted (the events' reference check), and the flush deletes patients first."""
    yield
    ActivityEvent.objects.all().delete()


@pytest.mark.browser
def test_administrator_chooses_the_record_for_a_pending_row(
    page: Page, login, admin, area, events_removed_after
) -> None:
    suggested = PatientFactory(given_name="Ada", family_name="Byron", date_of_birth=BORN, postcode="TN23 1AA")
    namesake = PatientFactory(given_name="Ada", family_name="Byrne", date_of_birth=BORN, postcode="ME1 1AA")
    PendingMatch.objects.create(
        source="activity",
        fingerprint="f1",
        line_number=2,
        given_name="Ada",
        family_name="Byron",
        date_of_birth=BORN,
        postcode="TN23 1AA",
        candidate=suggested,
        candidate_count=1,
        row={"event_type": "fall", "event_date": "2024-01-02", "provider_code": "", "source_id": "P1"},
    )
    login(page, admin.username)
    page.goto("/patients/imports/matches/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import rows to match")
    choice = page.get_by_role("group", name="Which record does line 2 belong to?")
    expect(choice.get_by_role("radio", name=re.compile(r"BYRON, Ada.*\(suggested\)"))).to_be_checked()
    assert_accessible(page)
    choice.get_by_role("radio", name=re.compile(r"BYRNE, Ada")).check()
    page.get_by_role("button", name="Confirm and apply").click()
    expect(page.get_by_text("Row applied to the record.")).to_be_visible()
    expect(page.get_by_text("No rows are waiting.")).to_be_visible()
    assert_accessible(page)
    assert ActivityEvent.objects.get().patient == namesake
