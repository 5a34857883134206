"""A care coordinator records a fall by hand and sees it on the record's timeline."""

import re

import pytest
from playwright.sync_api import Page, expect

from patients.models import ActivityEvent
from tests.system.axe import assert_accessible
from tests.system.helpers import wait_for_panels


@pytest.fixture
def events_removed_after(live_server):
    """Events go before the live server's database is flushed: a patient who still has events
    cannot be deleted (the events' reference check), and the flush deletes patients first."""
    yield
    ActivityEvent.objects.all().delete()


@pytest.mark.browser
def test_care_coordinator_records_a_fall(page: Page, login, care_coordinator, p1, events_removed_after) -> None:
    login(page, care_coordinator.username)
    page.goto(f"/patients/{p1.public_id}/")
    wait_for_panels(page)
    page.get_by_role("link", name="Record an event").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record an event")
    assert_accessible(page)

    page.get_by_label("What happened").select_option(label="Fall")
    when = page.get_by_role("group", name="Event date")
    when.get_by_label("Day").fill("3")
    when.get_by_label("Month").fill("6")
    when.get_by_label("Year").fill("2024")
    page.get_by_role("button", name="Record event").click()
    expect(page).to_have_title(re.compile(r"^Error: Record an event"))
    expect(page.get_by_role("alert")).to_contain_text("Say whether the fall was with or without a fracture.")
    expect(when.get_by_label("Day")).to_have_value("3")
    assert_accessible(page)

    page.get_by_role("group", name="Fracture (falls)").get_by_label("With a fracture").check()
    page.get_by_role("button", name="Record event").click()
    page.wait_for_url(re.compile(rf"/patients/{p1.public_id}/$"))
    wait_for_panels(page)
    timeline = page.get_by_role("table", name=re.compile("Activity"))
    expect(timeline).to_contain_text("Fall")
    expect(timeline).to_contain_text("With a fracture")
    assert_accessible(page)
