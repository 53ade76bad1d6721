"""The support page for a Ukrainian reader (browser in Ukrainian): Ukrainian words, hryvnias written the
Ukrainian way, the same layout; then the switcher turns it to English and remembers it.
`UPDATE_SCREENSHOTS=1` refreshes docs/screenshots/support-uk-{phone,desktop}.png."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, make_page

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
NBSP = "\xa0"


@pytest.mark.parametrize(("name", "viewport"), [("phone", PHONE), ("desktop", DESKTOP)])
def test_a_ukrainian_reader_sees_the_support_page_in_ukrainian_and_hryvnias(
    browser, site, settings, tmp_path, name, viewport
):
    context, page = make_page(browser, settings, viewport, locale="uk-UA")
    try:
        page.goto(f"{site}/support/")
        expect(page.locator("#support-form")).to_have_attribute("data-state", "ready")

        expect(page.get_by_role("heading", level=1)).to_have_text("Підтримайте незалежну журналістику")
        expect(page.locator("#submit-button")).to_have_text(f"Підтримати на 500,00{NBSP}₴")
        assert page.evaluate("document.documentElement.lang") == "uk"
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

        target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        page.screenshot(path=str(target / f"support-uk-{name}.png"), full_page=True)
    finally:
        context.close()


def test_the_switcher_turns_the_page_to_english_and_remembers_it(browser, site, settings):
    context, page = make_page(browser, settings, PHONE, locale="uk-UA")
    try:
        page.goto(f"{site}/support/")
        page.get_by_role("button", name="English").click()

        expect(page.get_by_role("heading", level=1)).to_have_text("Support independent journalism")
        page.goto(f"{site}/")
        assert page.evaluate("document.documentElement.lang") == "en"
    finally:
        context.close()
