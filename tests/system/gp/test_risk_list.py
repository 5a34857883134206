"""A GP opens the risk list: the published run's people with a care relationship only, highest
risk first with reasons in words; filters, and a filter error shown in the error summary."""

import re

import pytest
from playwright.sync_api import Page, expect

from stratification.models import RiskScore
from tests.system.axe import assert_accessible
from tests.system.risk import publish_run


@pytest.mark.browser
def test_gp_reads_and_filters_the_risk_list(page: Page, login, area, gp, p1, p2) -> None:
    run = publish_run(practice_a=area.practice_a, p1=p1, p2=p2)
    login(page, gp.username)
    page.get_by_role("link", name="Risk list", exact=True).first.click()
    page.wait_for_url(re.compile(r"/risk/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Risk list")
    main = page.locator("main")
    expect(main).to_contain_text(f"{run.patient_count - 1} people")  # everyone at practice A; not P2
    first_row = page.get_by_role("row").nth(1)
    expect(first_row).to_contain_text("LOVELACE, Ada")
    expect(first_row).to_contain_text("3 emergency admissions in the last 12 months")
    expect(main).not_to_contain_text("HIDDEN")
    assert_accessible(page)

    page.get_by_label("Sort by").select_option("age")
    page.get_by_label("Aged from").fill("90")
    page.get_by_label("Aged up to").fill("60")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_title(re.compile(r"^Error: Risk list"))
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("'Aged up to' must be the same as or more than 'Aged from'.")
    assert_accessible(page)

    page.get_by_label("Aged from").fill("")
    page.get_by_label("Aged up to").fill("")
    band = RiskScore.objects.get(run_id=run.pk, patient_id=p1.pk).band
    in_band = RiskScore.objects.filter(run_id=run.pk, band=band, practice_id=area.practice_a.pk).count()
    page.get_by_label("Sort by").select_option("rank")
    page.get_by_label("Band").select_option(band)
    page.get_by_role("button", name="Apply filters").click()
    expect(main).to_contain_text(f"{in_band} {'person' if in_band == 1 else 'people'}.")
    expect(page.get_by_role("row").nth(1)).to_contain_text("LOVELACE, Ada")
    assert_accessible(page)
