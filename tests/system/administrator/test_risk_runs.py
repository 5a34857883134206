"""An administrator opens the risk runs page: recent runs with status and band counts, and the
active model."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.system.axe import assert_accessible
from tests.system.risk import publish_run


@pytest.mark.browser
def test_administrator_sees_the_published_run(page: Page, login, area, admin, p1, p2) -> None:
    run = publish_run(practice_a=area.practice_a, p1=p1, p2=p2)
    login(page, admin.username)
    page.get_by_role("link", name="Risk runs", exact=True).first.click()
    page.wait_for_url(re.compile(r"/risk/runs/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk runs")
    main = page.locator("main")
    expect(main).to_contain_text(f"Published now: run {run.pk}")
    row = page.get_by_role("row").filter(has_text="browser test")
    expect(row).to_contain_text("Published")
    counts = run.band_counts
    expect(row).to_contain_text(f"{counts['very_high']} / {counts['high']} / {counts['moderate']} / {counts['low']}")
    expect(page.get_by_role("heading", name="Active model")).to_be_visible()
    expect(main).to_contain_text("hand-1")
    assert_accessible(page)
