"""Browser fixtures: Debian's Chromium through Playwright, the site on a live server, a private localstripe.

localstripe's Stripe.js stand-in lacks `createPaymentMethod` and `handleNextAction` and reports a failed
3-D Secure without an `error`. The `page` fixture appends a few lines to the stand-in (tests only) so the
page's code, which calls only real Stripe.js methods, runs unchanged: `createPaymentMethod` makes a real
`pm_…` on localstripe from the card the reader typed (server side, as Stripe.js does on stripe.com),
`handleNextAction` goes through the stand-in's 3-D Secure box, and a failed authentication becomes `error`.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("PLAYWRIGHT_CHROMIUM_EXECUTABLE", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

STRIPE_JS_ADDITIONS = """
;(function () {
  var standIn = Stripe;
  Stripe = function (key) {
    var stripe = standIn(key);
    stripe.createPaymentMethod = async function (data) {
      var card = data && data.card && data.card.value && data.card.value.card;
      if (!card || !card.number) {
        return {error: {code: "incomplete_number", message: "Your card number is incomplete."}};
      }
      return window.__testCreatePaymentMethod(card);
    };
    stripe.handleNextAction = async function (options) {
      var result = await stripe.confirmCardPayment(options.clientSecret);
      var intent = result && result.paymentIntent;
      if (result && !result.error && intent && intent.last_payment_error) {
        return {error: intent.last_payment_error, paymentIntent: intent};
      }
      return result;
    };
    return stripe;
  };
})();
"""


# A browser that "can pay" with a wallet: Stripe.js's payment request, with a button that answers as a
# wallet sheet does (a payment method for the 4242 card and the payer's email). Tests that ask for it only.
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
            var result = await window.__testCreatePaymentMethod(card);
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
    from playwright.sync_api import expect, sync_playwright

    # Generous waits for a shared two-core machine; a passing test still takes a few seconds.
    expect.set_options(timeout=15_000)

    # Playwright's sync API keeps an event loop running in this thread; the test body's ORM calls are
    # still plain synchronous calls, so Django's async-safety guard must be told so.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def create_payment_method(api_base: str, card: dict) -> dict:
    """What Stripe.js's createPaymentMethod answers, made on localstripe from the typed card."""
    body = urllib.parse.urlencode(
        {
            "type": "card",
            "card[number]": card["number"].replace(" ", ""),
            "card[exp_month]": card["exp_month"],
            "card[exp_year]": card["exp_year"],
            "card[cvc]": card["cvc"],
        }
    ).encode()
    request = urllib.request.Request(
        f"{api_base}/v1/payment_methods",
        data=body,
        headers={"Authorization": "Bearer sk_test_browser"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return {"paymentMethod": json.load(response)}
    except urllib.error.HTTPError as exc:
        error = json.load(exc).get("error", {})
        return {"error": {"code": error.get("code", "invalid_request"), "message": error.get("message")}}


@pytest.fixture
def site(live_server, localstripe, transactional_db):
    """The site as `make run` serves it: a live server talking to a real (private) localstripe."""
    return live_server.url


def make_page(browser, localstripe, settings, viewport, *, wallet=False, **context_options):
    context = browser.new_context(viewport=viewport, locale="en-US", **context_options)
    context.set_default_timeout(15_000)
    context.expose_function(
        "__testCreatePaymentMethod", lambda card: create_payment_method(localstripe.url, card)
    )

    def add_missing_stripe_js(route):
        response = route.fetch()
        additions = STRIPE_JS_ADDITIONS + (WALLET_ADDITIONS if wallet else "")
        route.fulfill(response=response, body=response.text() + additions)

    context.route(settings.STRIPE_JS_URL, add_missing_stripe_js)
    return context, context.new_page()


@pytest.fixture
def page(browser, site, localstripe, settings):
    """A phone-sized page in a fresh browser context (own cookies), with the Stripe.js additions."""
    context, page = make_page(browser, localstripe, settings, PHONE)
    yield page
    context.close()
