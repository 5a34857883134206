"""Accessibility check for browser tests: axe-core (the npm package the app already
installs) run on the page as the user sees it. Call `assert_accessible(page)` after every
navigation; it fails on violations of impact "serious" or "critical", naming each rule
and the elements it found."""

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Page

BLOCKING_IMPACTS = frozenset({"serious", "critical"})


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """All axe violations on the current page. Needs a context with bypass_csp=True: the
    app's CSP refuses the inline script Playwright injects (see tests/system/conftest.py)."""
    axe_js = Path(settings.NODE_MODULES) / "axe-core" / "axe.min.js"
    if not axe_js.exists():
        pytest.fail(f"{axe_js} is missing: run `npm ci` (make setup) to install axe-core.", pytrace=False)
    page.wait_for_load_state("load")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(axe_js))
    results: dict[str, Any] = page.evaluate("async () => await window.axe.run(document, {resultTypes: ['violations']})")
    return list(results["violations"])


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe found {len(violations)} serious or critical accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} {violation['helpUrl']}")
        for node in violation["nodes"]:
            summary = " ".join(line.strip() for line in node.get("failureSummary", "").splitlines())
            lines.append(f"    target {node['target']}: {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    if blocking:
        message = format_violations(page.url, blocking)
        print(message)
        pytest.fail(message, pytrace=False)
