"""The axe helper itself: it must fail on a page with serious problems, or a passing
browser test would prove nothing about accessibility."""

import pytest
from playwright.sync_api import Page

from tests.system.axe import assert_accessible

BROKEN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Broken</title></head>
<body><main><h1>Broken</h1>
<form><input type="text" name="nhs_number"></form>
<img src="/static/missing.png">
</main></body></html>"""


@pytest.mark.browser
def test_assert_accessible_fails_on_serious_violations_naming_rules_and_targets(page: Page) -> None:
    page.set_content(BROKEN_PAGE)

    with pytest.raises(pytest.fail.Exception) as failure:
        assert_accessible(page)

    message = str(failure.value)
    assert "image-alt (critical)" in message
    assert "label (critical)" in message
    assert "target ['img']" in message
