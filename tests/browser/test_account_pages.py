"""Account pages fit a phone and a desktop; `UPDATE_SCREENSHOTS=1` refreshes docs/screenshots/account-*."""

import os
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import expect

from tests.browser.conftest import DESKTOP, PHONE, make_page
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
READER = "reader@example.org"
PASSWORD = "correct horse battery staple"  # UserFactory's
LONG_ADDRESS = "a.rather.long.address.for.the.newsletter@independent-newsroom.example.org"

# (screenshot name, viewport, who opens it, how to reach it, its heading)
PAGES = [
    ("login-mobile", PHONE, "visitor", "/accounts/login/", "Sign In"),
    ("login-desktop", DESKTOP, "visitor", "/accounts/login/", "Sign In"),
    ("signup-mobile", PHONE, "visitor", "/accounts/signup/", "Sign Up"),
    ("signup-desktop", DESKTOP, "visitor", "/accounts/signup/", "Sign Up"),
    ("code-mobile", PHONE, "visitor", "/accounts/login/code/", "Send me a sign-in code"),
    ("code-confirm-mobile", PHONE, "visitor", "code sent", "Enter Sign-In Code"),
    ("password-reset-mobile", PHONE, "visitor", "/accounts/password/reset/", "Password Reset"),
    ("email-mobile", PHONE, "reader", "/accounts/email/", "Email Addresses"),
    ("email-desktop", DESKTOP, "reader", "/accounts/email/", "Email Addresses"),
    ("password-change-mobile", PHONE, "reader", "/accounts/password/change/", "Change Password"),
]

# Right edges past the viewport, of anything a reader reads or taps; empty when everything fits.
OVERFLOWING = """() => [
  ...document.querySelectorAll("main h1, main p, main label, main input, main .button, main nav a"),
].filter((node) => node.getBoundingClientRect().right > window.innerWidth + 0.5)
  .map((node) => node.outerHTML.slice(0, 80))"""


@pytest.fixture
def reader_with_two_addresses(transactional_db):
    user = UserFactory(email=READER)
    EmailAddress.objects.create(user=user, email=READER, verified=True, primary=True)
    EmailAddress.objects.create(user=user, email=LONG_ADDRESS, verified=False, primary=False)
    return user


def log_in(page, site):
    page.goto(f"{site}/accounts/login/")
    page.get_by_label("Email").fill(READER)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def ask_for_a_code(page, site):
    page.goto(f"{site}/accounts/login/code/")
    page.get_by_label("Email").fill(READER)
    page.get_by_role("button", name="Request Code").click()


@pytest.mark.parametrize(
    ("name", "viewport", "who", "where", "heading"), PAGES, ids=[page[0] for page in PAGES]
)
def test_account_page_fits_the_screen_without_sideways_scrolling(
    browser, site, settings, tmp_path, reader_with_two_addresses, name, viewport, who, where, heading
):
    context, page = make_page(browser, settings, viewport)
    try:
        if who == "reader":
            log_in(page, site)
        if where == "code sent":
            ask_for_a_code(page, site)
        else:
            page.goto(f"{site}{where}")
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("header.site-header")).to_be_visible()

        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.evaluate(OVERFLOWING) == []

        target = SCREENSHOTS if os.environ.get("UPDATE_SCREENSHOTS") == "1" else tmp_path
        path = target / f"account-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        assert path.stat().st_size < 300_000
    finally:
        context.close()
