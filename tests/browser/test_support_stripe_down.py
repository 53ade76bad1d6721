"""The support page when Stripe goes down between the card being entered and the gift being sent."""

import pytest
from playwright.sync_api import expect

from payments.models import Contribution
from tests.browser.conftest import DESKTOP, PHONE, make_page
from tests.browser.test_support_checkout import fill_card, open_support_page
from tests.localstripe import LocalStripe

pytestmark = [pytest.mark.browser, pytest.mark.integration, pytest.mark.resilience]


@pytest.fixture
def own_stripe(settings):
    """A localstripe of this test's own (the page's Stripe.js and the card come from it), stopped by PID."""
    server = LocalStripe().start()
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_JS_URL = f"{server.url}/js.stripe.com/v3/"
    yield server
    server.stop()


def _stop_stripe_then_send(stripe: LocalStripe):
    def handler(route):
        stripe.stop()  # Stripe goes down just as the reader presses the button
        route.continue_()

    return handler


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_stripe_down_at_payment_tells_the_reader_nothing_was_charged(
    browser, live_server, own_stripe, settings, transactional_db, viewport, tmp_path
):
    context, page = make_page(browser, settings, viewport)
    try:
        page.route("**/api/v1/contributions", _stop_stripe_then_send(own_stripe))
        open_support_page(page, live_server.url)
        page.get_by_label("Email").fill("patient@example.org")
        fill_card(page, "4242424242424242")

        page.get_by_role("button", name="Give $25.00 now").click()

        form_error = page.locator("#form-error")
        expect(form_error).to_contain_text("Payments are unavailable right now. Nothing was charged.")
        expect(form_error).to_contain_text("try again in a few minutes")
        expect(page.locator("#card-error")).to_be_empty()  # not the card's fault
        expect(page.get_by_role("button", name="Give $25.00 now")).to_be_enabled()
        shot = tmp_path / f"support-stripe-down-{viewport['width']}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot: {shot}")
    finally:
        context.close()
    assert own_stripe.process is not None
    assert own_stripe.process.poll() is not None  # it really was down
    assert not Contribution.objects.exists()
