"""A reader signs up to the newsletter from the site's footer on a phone, confirms from the email, and
the sign-up pages pass an accessibility check."""

import os
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from newsletters.models import NewsletterSignup
from tests.browser.conftest import DESKTOP, PHONE, make_page
from tests.newsletters.factories import NewsletterFactory
from tests.payments.conftest import celery_eager

__all__ = ["celery_eager"]
pytestmark = [pytest.mark.browser, pytest.mark.integration]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


@pytest.fixture
def newsletters(site):
    NewsletterFactory(slug="ukraine-daily", name="Ukraine Daily", position=1)
    NewsletterFactory(
        slug="investigations",
        name="Investigations",
        description="Our War Crimes Investigations Unit's reporting.",
        frequency="About twice a month",
        is_default=False,
        position=2,
    )


def screenshot(page, name):
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        page.screenshot(path=str(SCREENSHOTS / f"newsletter-{name}.png"), full_page=True)


def serious_violations(page) -> list:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21aa']})")
    assert result["passes"], "axe checked nothing"
    return [(v["id"], v["help"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]


def test_a_reader_signs_up_from_the_footer_and_confirms_from_the_email(
    browser, settings, site, newsletters, celery_eager
):
    context, page = make_page(browser, settings, PHONE)
    page.goto(f"{site}/")
    footer = page.locator("footer")

    footer.get_by_label("Email address").fill("olena@")
    footer.get_by_role("button", name="Sign up").click()
    expect(page.get_by_text("Please enter a correct email address.")).to_be_visible()
    screenshot(page, "error-phone")

    page.locator("main").get_by_label("Email address").fill("olena@example.org")
    page.locator("main").get_by_role("button", name="Sign up").click()
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    expect(page.get_by_text("Thank you for signing up. We've sent you a confirmation email")).to_be_visible()
    screenshot(page, "thanks-phone")
    assert NewsletterSignup.objects.get().status == "pending"

    link = re.search(r"https?://\S+/newsletters/confirm/\S+/", mail.outbox[-1].body).group(0)
    page.goto(site + "/newsletters/confirm/" + link.split("/newsletters/confirm/", 1)[1])
    page.get_by_role("button", name="Yes, sign me up").click()

    expect(page.get_by_role("heading", name="You're signed up")).to_be_visible()
    assert NewsletterSignup.objects.get().status == "confirmed"
    context.close()


def test_the_footer_form_is_usable_with_the_keyboard_alone(
    browser, settings, site, newsletters, celery_eager
):
    context, page = make_page(browser, settings, PHONE)
    page.goto(f"{site}/")
    page.locator("footer").get_by_label("Email address").focus()

    page.keyboard.type("olena@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Sign up"
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    context.close()


@pytest.mark.parametrize("path", ["/newsletters/", "/"])
def test_the_sign_up_forms_pass_an_accessibility_check(browser, settings, site, newsletters, path):
    if not AXE.exists():
        pytest.skip("axe-core is not installed (make install runs npm ci)")
    context, page = make_page(browser, settings, PHONE, bypass_csp=True)  # axe is injected inline
    page.goto(site + path)

    assert serious_violations(page) == []
    context.close()


def test_screenshot_of_the_newsletters_page(browser, settings, site, newsletters):
    context, page = make_page(browser, settings, DESKTOP)
    page.goto(f"{site}/newsletters/")

    expect(page.get_by_role("checkbox", name=re.compile("Ukraine Daily"))).to_be_checked()
    expect(page.get_by_role("checkbox", name=re.compile("Investigations"))).not_to_be_checked()
    screenshot(page, "page-desktop")
    context.close()


def test_screenshot_of_the_footer_form_on_a_phone(browser, settings, site, newsletters):
    context, page = make_page(browser, settings, PHONE)
    page.goto(f"{site}/")

    expect(page.locator("footer").get_by_role("button", name="Sign up")).to_be_visible()
    screenshot(page, "home-phone")
    context.close()
