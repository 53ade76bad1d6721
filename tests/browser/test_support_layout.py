"""The support page fits a phone and a desktop; `UPDATE_SCREENSHOTS=1` refreshes docs/screenshots/."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, make_page

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.mark.parametrize(("name", "viewport"), [("mobile", PHONE), ("desktop", DESKTOP)])
def test_support_page_fits_the_screen_without_sideways_scrolling(
    browser, site, settings, tmp_path, name, viewport
):
    context, page = make_page(browser, settings, viewport)
    try:
        page.goto(f"{site}/support/?currency=USD&campaign=spring")
        expect(page.locator("#support-form")).to_have_attribute("data-state", "ready")

        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        submit = page.get_by_role("button", name="Give $25.00 now").bounding_box()
        assert submit["x"] >= 0
        assert submit["x"] + submit["width"] <= viewport["width"]

        target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        path = target / f"support-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size < 300_000
    finally:
        context.close()
