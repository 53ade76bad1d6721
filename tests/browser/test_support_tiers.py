"""The support page's tier block in Chromium: it follows frequency and amount and fits the screen.

`UPDATE_SCREENSHOTS=1` writes docs/screenshots/support-tiers-{mobile,desktop}.png.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from checkout.demo import load_demo_tiers
from tests.browser.conftest import DESKTOP, PHONE, make_page

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def open_membership(page, site):
    page.goto(f"{site}/support/?currency=USD&frequency=monthly")
    expect(page.locator("#support-form")).to_have_attribute("data-state", "ready")


def test_the_tier_shown_follows_the_amount_and_frequency(browser, site, settings):
    load_demo_tiers()
    context, page = make_page(browser, settings, PHONE)
    try:
        open_membership(page, site)
        status = page.locator("#tier-status")
        expect(status).to_have_text("This amount makes you a member of the Member tier.")  # $10.00

        page.get_by_role("radiogroup", name="Monthly membership").get_by_text("$20.00", exact=True).click()
        expect(status).to_have_text("This amount makes you a member of the Patron tier.")
        expect(page.locator(".tier[data-reached] .tier-name")).to_contain_text("Patron")

        page.get_by_label("Other amount ($)").fill("3")
        expect(status).to_have_text("From $4.00 a month, members reach the Supporter tier.")
        expect(page.locator(".tier[data-reached]")).to_have_count(0)

        page.get_by_label("Other amount ($)").fill("")
        page.locator(".segment", has_text="Annual").click()  # $100.00 a year is 8.33 a month
        expect(status).to_have_text("This amount makes you a member of the Member tier.")
        expect(page.get_by_text("From $96.00 a year")).to_be_visible()
        expect(page.get_by_text("From $8.00 a month")).to_be_hidden()

        page.get_by_text("Support us just once").click()
        expect(page.locator("#tiers")).to_be_hidden()
    finally:
        context.close()


@pytest.mark.parametrize(("name", "viewport"), [("mobile", PHONE), ("desktop", DESKTOP)])
def test_the_tier_block_fits_the_screen(browser, site, settings, tmp_path, name, viewport):
    load_demo_tiers()
    context, page = make_page(browser, settings, viewport)
    try:
        open_membership(page, site)
        expect(page.locator("#tiers")).to_be_visible()

        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        path = target / f"support-tiers-{name}.png"
        page.locator("#tiers").screenshot(path=str(path))
        page.screenshot(path=str(tmp_path / f"support-full-{name}.png"), full_page=True)
        assert path.stat().st_size < 300_000
    finally:
        context.close()
