"""Browser fixtures: Debian's Chromium through Playwright, the site on a live server, a private localstripe.

localstripe's Stripe.js stand-in lacks `createPaymentMethod` and `handleNextAction` and reports a failed
3-D Secure without an `error`. The pages run as the demo serves them: with `STRIPE_OFFLINE_SHIM` on, the
site loads static/js/offline-stripe-shim.js after the stand-in, which adds those calls (the `pm_…` is made on
localstripe by our dev-only endpoint), so the page's code, written for real Stripe.js, runs unchanged.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

CHROMIUM = Path(os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# A browser that "can pay" with a wallet: Stripe.js's payment request, with a button that answers as a
# wallet sheet does (a payment method for the 4242 card, made through the offline shim's createPaymentMethod,
# and the payer's email). Appended to the stand-in for the tests that ask for it only.
WALLET_ADDITIONS = """
;(function () {
  var withoutWallet = Stripe;
  Stripe = function (key) {
    var stripe = withoutWallet(key);
    var handlers = {};
    stripe.paymentRequest = function (options) {
      window.__walletOptions = options;
      return {
        canMakePayment: function () { return Promise.resolve({googlePay: true}); },
        on: function (name, handler) { handlers[name] = handler; },
        update: function (changes) { Object.assign(window.__walletOptions, changes); },
      };
    };
    var standInElements = stripe.elements;
    stripe.elements = function (options) {
      var group = standInElements(options);
      var create = group.create.bind(group);
      group.create = function (type, createOptions) {
        if (type !== "paymentRequestButton") {
          return create(type, createOptions);
        }
        return {mount: function (node) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = "Pay with test wallet";
          button.addEventListener("click", async function () {
            var card = {number: "4242424242424242", exp_month: "12", exp_year: "30", cvc: "123"};
            var result = await stripe.createPaymentMethod({type: "card", card: {value: {card: card}}});
            handlers.paymentmethod({
              paymentMethod: result.paymentMethod,
              payerEmail: "wallet@example.org",
              payerName: "Wallet Reader",
              complete: function (status) { window.__walletCompleted = status; },
            });
          });
          node.appendChild(button);
        }};
      };
      return group;
    };
    return stripe;
  };
})();
"""


@pytest.fixture(scope="session")
def browser():
    """One Chromium for the whole session; skipped (or failed in CI) when Debian's chromium is missing."""
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)

    # Generous waits for a shared two-core machine; a passing test still takes a few seconds.
    expect.set_options(timeout=15_000)

    # Playwright's sync API keeps an event loop running in this thread; the test body's ORM calls are
    # still plain synchronous calls, so Django's async-safety guard must be told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def site(live_server, localstripe, transactional_db):
    """The site as `make run` serves it: a live server talking to a real (private) localstripe."""
    return live_server.url


def make_page(browser, settings, viewport, *, wallet=False, locale="en-US", **context_options):
    """A fresh context (own cookies) on the site as the demo serves it: the offline Stripe.js shim, no test
    additions to Stripe.js unless `wallet` asks for the test wallet. `locale` is the browser's language."""
    settings.STRIPE_OFFLINE_SHIM = True
    context = browser.new_context(viewport=viewport, locale=locale, **context_options)
    context.set_default_timeout(15_000)
    # Every page runs under the site's Content-Security-Policy: what it refuses is kept here.
    context.csp_violations = []
    context.on(
        "console",
        lambda message: (
            context.csp_violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    if wallet:

        def add_test_wallet(route):
            response = route.fetch()
            route.fulfill(response=response, body=response.text() + WALLET_ADDITIONS)

        context.route(settings.STRIPE_JS_URL, add_test_wallet)
    return context, context.new_page()


@pytest.fixture
def page(browser, site, settings):
    """A phone-sized page in a fresh browser context, paying through the offline Stripe.js shim."""
    context, page = make_page(browser, settings, PHONE)
    yield page
    violations = list(context.csp_violations)
    context.close()
    assert violations == [], "the Content-Security-Policy refused something the page needs"
