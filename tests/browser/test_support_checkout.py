"""A reader gives through the support page in Chromium, against the live site and a real localstripe."""

import json
import re
import time
import urllib.request

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from checkout.errors import PaymentUnavailableError
from checkout.fees import fee_for
from payments.limits import amount_limits
from payments.models import Contribution
from payments.money import format_money
from tests.browser.conftest import PHONE, make_page
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.integration]

THANK_YOU_URL = re.compile(r"/support/thank-you/[0-9a-f-]{36}/$")


# The offline card element's five inputs, by the names the shim gives them (as a reader hears them).
CARD_NUMBER, EXPIRY_MONTH, EXPIRY_YEAR, CVC, POSTCODE = (
    "Card number",
    "Expiry month",
    "Expiry year",
    "Security code (CVC)",
    "Postcode",
)


def card_input(page, name):
    return page.get_by_label(name, exact=True)


def fill_card(page, number, *, month="12", year="30", cvc="123", postcode="10001"):
    card_input(page, CARD_NUMBER).fill(number)
    card_input(page, EXPIRY_MONTH).fill(month)
    card_input(page, EXPIRY_YEAR).fill(year)
    card_input(page, CVC).fill(cvc)
    card_input(page, POSTCODE).fill(postcode)


def choose_preset(page, label, group="One-off gift"):
    page.get_by_role("radiogroup", name=group).get_by_text(label, exact=True).click()


def open_support_page(page, site, query="?currency=USD"):
    page.goto(f"{site}/support/{query}")
    expect(page.locator("#support-form")).to_have_attribute("data-state", "ready")


def test_reader_gives_once_by_card_and_sees_the_amount_on_the_thank_you_page(page, site):
    open_support_page(
        page,
        site,
        "?currency=USD&campaign=spring-appeal&source=banner&ref=article-42&variant=spring-a&utm_medium=email",
    )

    page.get_by_text("Support us just once").click()
    choose_preset(page, "$50.00")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Name (optional)").fill("Ada Lovelace")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Give $50.00 now").click()

    page.wait_for_url(THANK_YOU_URL)
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.locator("#receipt-amount")).to_have_text("$50.00")
    expect(page.locator("#receipt-card")).to_contain_text("4242")
    contribution = Contribution.objects.get()
    assert (contribution.status, contribution.amount_minor, contribution.currency) == (
        "succeeded",
        5000,
        "USD",
    )
    assert contribution.attribution() == {
        "campaign": "spring-appeal",
        "source": "banner",
        "ref": "article-42",
        "variant": "spring-a",
        "utm_source": "",
        "utm_medium": "email",
        "utm_campaign": "",
        "utm_term": "",
        "utm_content": "",
    }


def test_demo_page_pays_by_card_with_the_offline_shim_and_no_test_additions(page, site, settings):
    with page.expect_response(settings.STRIPE_JS_URL) as stripe_js:
        open_support_page(page, site)
    with urllib.request.urlopen(settings.STRIPE_JS_URL, timeout=10) as stand_in:
        assert stripe_js.value.text() == stand_in.read().decode()  # localstripe's Stripe.js, as served
    expect(page.locator('head script[src$="/js/offline-stripe-shim.js"]')).to_have_count(1)

    page.get_by_label("Other amount ($)").fill("7")
    page.get_by_label("Email").fill("demo@example.org")
    fill_card(page, "4242 4242 4242 4242")
    page.get_by_role("button", name="Give $7.00 now").click()

    page.wait_for_url(THANK_YOU_URL)
    expect(page.locator("#receipt-card")).to_contain_text("4242")
    assert Contribution.objects.get().status == "succeeded"


def test_reader_becomes_a_monthly_member_and_sees_the_membership_thank_you_page(page, site):
    open_support_page(page, site)

    page.get_by_text("Become a member").click()
    page.get_by_text("Monthly", exact=True).click()
    choose_preset(page, "$20.00", group="Monthly membership")
    page.get_by_label("Email").fill("grace@example.org")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Give $20.00 a month").click()

    page.wait_for_url(THANK_YOU_URL)
    expect(page.get_by_role("heading", name="Welcome, member!")).to_be_visible()
    expect(page.locator("#receipt-amount")).to_have_text("$20.00")
    expect(page.get_by_text("Monthly", exact=True)).to_be_visible()
    contribution = Contribution.objects.get()
    assert (contribution.frequency, contribution.membership.status) == ("monthly", "active")


def test_declined_card_shows_an_error_and_keeps_the_form_filled_in(page, site):
    open_support_page(page, site)

    page.get_by_label("Other amount ($)").fill("12.50")
    page.get_by_label("Email").fill("declined@example.org")
    fill_card(page, "4000000000000341")
    page.get_by_role("button", name="Give $12.50 now").click()

    expect(page.locator("#card-error")).to_contain_text("declined")
    expect(page.get_by_role("alert").first).to_contain_text("did not go through")
    expect(page.locator("#card-element")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Other amount ($)")).to_have_value("12.50")
    expect(page.get_by_label("Email")).to_have_value("declined@example.org")
    expect(card_input(page, CARD_NUMBER)).to_have_value("4000000000000341")
    expect(page.get_by_role("button", name="Give $12.50 now")).to_be_enabled()
    assert page.url.endswith("/support/?currency=USD")


def contribution_api_calls(page) -> list[tuple[str, str]]:
    """(method, path) of every request the page makes to /api/v1/contributions/<id>…, as they go."""
    calls = []
    pattern = re.compile(r"/api/v1/contributions/[0-9a-f-]{36}(/\w+)?$")

    def seen(request):
        match = pattern.search(request.url)
        if match:
            calls.append((request.method, match.group(1) or ""))

    page.on("request", seen)
    return calls


def test_three_d_secure_card_completes_in_the_page_box(page, site):
    calls = contribution_api_calls(page)
    open_support_page(page, site)

    choose_preset(page, "$25.00")
    page.get_by_label("Email").fill("secure@example.org")
    fill_card(page, "4000002760003184")
    page.get_by_role("button", name="Give $25.00 now").click()
    page.get_by_role("button", name="Complete authentication").click()

    page.wait_for_url(THANK_YOU_URL)
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(page.locator("#receipt-amount")).to_have_text("$25.00")
    assert calls == [("POST", "/refresh")]  # recorded before the thank-you page, which only reads it


def test_failed_three_d_secure_shows_an_error_in_the_page(page, site):
    calls = contribution_api_calls(page)
    open_support_page(page, site)

    choose_preset(page, "$25.00")
    page.get_by_label("Email").fill("unsure@example.org")
    fill_card(page, "4000002760003184")
    page.get_by_role("button", name="Give $25.00 now").click()
    page.get_by_role("button", name="Fail authentication").click()

    expect(page.locator("#card-error")).to_contain_text("3-D Secure failed")
    expect(page.get_by_label("Email")).to_have_value("unsure@example.org")
    assert Contribution.objects.get().status == "failed"
    assert calls == [("POST", "/refresh")]


def test_amount_outside_the_allowed_range_is_refused_before_paying(page, site):
    open_support_page(page, site)

    page.get_by_label("Other amount ($)").fill("0.50")
    page.get_by_role("button", name="Give $0.50 now").click()

    expect(page.locator("#amount-error")).to_contain_text("between $1.00 and $10,000.00")
    expect(page.get_by_label("Other amount ($)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Other amount ($)")).to_be_focused()
    assert Contribution.objects.count() == 0


def test_covering_the_fee_shows_the_new_total_before_paying(page, site):
    open_support_page(page, site)

    choose_preset(page, "$25.00")
    page.get_by_label(re.compile("cover the card processing fee")).check()

    total = 2500 + fee_for(amount_minor=2500, currency="USD")
    expected = f"${total // 100}.{total % 100:02d}"
    expect(page.locator("#total-amount")).to_have_text(expected)
    expect(page.get_by_role("button", name=f"Give {expected} now")).to_be_visible()


def dollars(minor: int) -> str:
    return f"${minor // 100:,}.{minor % 100:02d}"


def checkout_answers(page) -> list[dict]:
    """What POST /api/v1/contributions answers the page (kept before it navigates away), with the fee
    label the page showed when it sent the request (`shown_fee`)."""
    answers = []

    def keep(route):
        shown_fee = page.locator("#fee-amount").text_content()
        response = route.fetch()
        answers.append({**response.json(), "shown_fee": shown_fee})
        route.fulfill(response=response)

    page.route("**/api/v1/contributions", keep)
    return answers


def test_fee_for_a_typed_amount_comes_from_the_server_and_is_what_is_charged(page, site):
    asked = []
    page.on("request", lambda request: "/api/v1/checkout/fee?" in request.url and asked.append(request.url))
    open_support_page(page, site)
    expect(page.locator("#fee-amount")).to_have_text(dollars(fee_for(amount_minor=2500, currency="USD")))
    page.get_by_label(re.compile("cover the card processing fee")).check()
    choose_preset(page, "$100.00")
    expect(page.locator("#total-amount")).to_have_text(
        dollars(10000 + fee_for(amount_minor=10000, currency="USD"))
    )
    assert asked == []  # the presets' fees came with the page

    page.get_by_label("Other amount ($)").press_sequentially("12.34", delay=20)

    fee = fee_for(amount_minor=1234, currency="USD")
    expect(page.locator("#fee-amount")).to_have_text(dollars(fee))
    expect(page.locator("#total-amount")).to_have_text(dollars(1234 + fee))
    assert asked[-1].endswith("currency=USD&amount=1234")
    assert len(asked) < 5  # debounced: not one request per key
    answers = checkout_answers(page)
    page.get_by_label("Email").fill("covers@example.org")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name=f"Give {dollars(1234 + fee)} now").click()
    page.wait_for_url(THANK_YOU_URL)
    assert [(answer["fee_covered"], answer["shown_fee"]) for answer in answers] == [(fee, dollars(fee))]
    assert Contribution.objects.get().fee_covered_minor == fee


def test_paying_before_the_fee_arrives_waits_for_it_and_shows_what_is_charged(page, site):
    def slow_fee(route):
        time.sleep(1.5)
        route.continue_()

    page.route("**/api/v1/checkout/fee?*", slow_fee)
    answers = checkout_answers(page)
    open_support_page(page, site)
    page.get_by_label("Email").fill("hasty@example.org")
    fill_card(page, "4242424242424242")
    page.get_by_label(re.compile("cover the card processing fee")).check()

    page.get_by_label("Other amount ($)").fill("7")
    page.locator("#submit-button").click()

    page.wait_for_url(THANK_YOU_URL)
    fee = fee_for(amount_minor=700, currency="USD")
    assert [(answer["fee_covered"], answer["shown_fee"]) for answer in answers] == [(fee, dollars(fee))]


def test_retry_after_a_lost_answer_sends_the_same_idempotency_key_and_charges_once(page, site):
    keys = []

    def lose_the_first_answer(route):
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fetch()  # the server records and charges, but the answer never reaches the page
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/api/v1/contributions", lose_the_first_answer)
    open_support_page(page, site)
    page.get_by_label("Email").fill("flaky@example.org")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Give $25.00 now").click()
    expect(page.locator("#form-error")).to_contain_text("could not reach our server")

    page.get_by_role("button", name="Give $25.00 now").click()

    page.wait_for_url(THANK_YOU_URL)
    assert len(keys) == 2
    assert keys[0] == keys[1]
    contribution = Contribution.objects.get()
    assert (contribution.status, contribution.amount_minor) == ("succeeded", 2500)


def test_one_off_gift_becomes_a_monthly_membership_in_one_click(page, site):
    open_support_page(page, site)
    choose_preset(page, "$50.00")
    page.get_by_label("Email").fill("upgrade@example.org")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Give $50.00 now").click()
    page.wait_for_url(THANK_YOU_URL)
    gift_url = page.url

    page.get_by_role("button", name="Become a member for $10.00 a month").click()

    page.wait_for_url(lambda url: THANK_YOU_URL.search(url) and url != gift_url)
    expect(page.get_by_role("heading", name="Welcome, member!")).to_be_visible()
    expect(page.locator("#receipt-amount")).to_have_text("$10.00")
    membership = Contribution.objects.get(frequency="monthly").membership
    assert (membership.status, membership.amount_minor, membership.interval) == ("active", 1000, "month")


def test_yen_amounts_accept_whole_numbers_only(page, site, settings):
    settings.CHECKOUT_CURRENCIES = ["USD", "JPY"]
    open_support_page(page, site, "?currency=JPY")

    page.get_by_label("Other amount (¥)").fill("1500.5")
    page.locator("#submit-button").click()

    expect(page.locator("#amount-error")).to_contain_text("whole number")
    page.get_by_label("Other amount (¥)").fill("1500")
    expect(page.get_by_role("button", name="Give ¥1,500 now")).to_be_visible()


def test_reader_can_choose_a_membership_and_amount_with_the_keyboard(page, site):
    open_support_page(page, site)

    page.get_by_role("radio", name="Support us just once").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowRight")

    expect(page.get_by_role("radio", name="Become a member")).to_be_checked()
    expect(page.get_by_role("radio", name="Annual")).to_be_checked()
    expect(page.get_by_role("radio", name="Annual")).to_be_focused()
    expect(page.get_by_role("button", name="Give $100.00 a year")).to_be_visible()


def test_signed_in_reader_pays_without_typing_an_email(browser, site, settings, client):
    user = UserFactory(email="member@example.org")
    client.force_login(user)
    context, page = make_page(browser, settings, PHONE)
    host = site.split("//", 1)[1].split(":")[0]
    context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )
    try:
        open_support_page(page, site)
        expect(page.get_by_text("Giving as member@example.org.")).to_be_visible()
        expect(page.get_by_label("Email")).to_have_count(0)
        fill_card(page, "4242424242424242")
        page.get_by_role("button", name="Give $25.00 now").click()
        page.wait_for_url(THANK_YOU_URL)
    finally:
        context.close()
    contribution = Contribution.objects.get()
    assert (contribution.user, contribution.contributor.email) == (user, "member@example.org")


def test_expired_card_shows_an_error_and_keeps_the_form_filled_in(page, site):
    open_support_page(page, site)

    page.get_by_label("Email").fill("expired@example.org")
    fill_card(page, "4242424242424242", month="12", year="18")
    page.get_by_role("button", name="Give $25.00 now").click()

    expect(page.locator("#card-error")).to_contain_text("expiry year is not valid")
    expect(page.get_by_label("Email")).to_have_value("expired@example.org")
    expect(card_input(page, EXPIRY_YEAR)).to_have_value("18")
    assert Contribution.objects.count() == 0


def test_membership_with_a_three_d_secure_card_starts_after_authentication(page, site):
    open_support_page(page, site)

    page.get_by_text("Become a member").click()
    page.get_by_text("Annual", exact=True).click()
    page.get_by_label("Email").fill("secure-member@example.org")
    fill_card(page, "4000002760003184")
    page.get_by_role("button", name="Give $100.00 a year").click()
    page.get_by_role("button", name="Complete authentication").click()

    page.wait_for_url(THANK_YOU_URL)
    expect(page.get_by_role("heading", name="Welcome, member!")).to_be_visible()
    expect(page.get_by_text("Your membership of $100.00 a year has started.")).to_be_visible()
    membership = Contribution.objects.get().membership
    assert (membership.status, membership.interval) == ("active", "year")


def test_thank_you_page_waits_for_authentication_and_then_shows_the_gift(page, site):
    open_support_page(page, site)
    page.get_by_label("Email").fill("patient@example.org")
    fill_card(page, "4000002760003184")
    page.get_by_role("button", name="Give $25.00 now").click()
    authenticate = page.get_by_role("button", name="Complete authentication")
    expect(authenticate).to_be_visible()
    waiting = page.context.new_page()
    polls = contribution_api_calls(waiting)
    waiting.goto(f"{site}/support/thank-you/{Contribution.objects.get().public_id}/")
    expect(waiting.get_by_role("heading", name="Confirming your payment…")).to_be_visible()

    authenticate.click()

    expect(waiting.get_by_role("heading", name="Thank you!")).to_be_visible()
    expect(waiting.locator("#receipt-amount")).to_have_text("$25.00")
    assert polls
    assert set(polls) == {("POST", "/refresh")}  # it asks the server to check, with a POST, never a GET


def test_payment_provider_unavailable_asks_to_press_again_and_the_retry_keeps_the_key(page, site):
    keys = []

    # What the server answers when Stripe failed after the charge was sent (the page shows it).
    unknown_outcome = PaymentUnavailableError(charge_sent=True).message

    def answer_502_first(route):
        keys.append(route.request.headers["idempotency-key"])
        if len(keys) == 1:
            route.fulfill(
                status=502,
                content_type="application/json",
                body=json.dumps({"error": {"code": "payment_unavailable", "message": unknown_outcome}}),
            )
        else:
            route.continue_()

    page.route("**/api/v1/contributions", answer_502_first)
    open_support_page(page, site)
    page.get_by_label("Email").fill("patient@example.org")
    fill_card(page, "4242424242424242")
    page.get_by_role("button", name="Give $25.00 now").click()
    expect(page.locator("#form-error")).to_contain_text("you will not be charged twice")

    page.get_by_role("button", name="Give $25.00 now").click()

    page.wait_for_url(THANK_YOU_URL)
    assert len(keys) == 2
    assert keys[0] == keys[1]


def test_no_wallet_button_when_stripe_js_offers_no_payment_request(page, site):
    open_support_page(page, site)

    expect(page.locator("#wallet")).to_be_hidden()
    expect(page.locator("#payment-request-button")).to_be_empty()


def test_wallet_button_appears_when_the_browser_can_pay_with_one_and_pays_the_chosen_amount(
    browser, site, settings
):
    context, page = make_page(browser, settings, PHONE, wallet=True)
    try:
        open_support_page(page, site)
        expect(page.locator("#wallet")).to_be_visible()
        choose_preset(page, "$10.00")
        assert page.evaluate("window.__walletOptions.total") == {"label": "One-off gift", "amount": 1000}

        page.get_by_role("button", name="Pay with test wallet").click()

        page.wait_for_url(THANK_YOU_URL)
        expect(page.locator("#receipt-amount")).to_have_text("$10.00")
    finally:
        context.close()
    contribution = Contribution.objects.get()
    assert (contribution.amount_minor, contribution.contributor.email) == (1000, "wallet@example.org")


def test_card_inputs_are_named_and_a_year_typed_in_four_digits_pays(page, site):
    open_support_page(page, site)
    page.get_by_label("Email").fill("four-digits@example.org")
    placeholders = {CARD_NUMBER: "Card number", EXPIRY_MONTH: "MM", EXPIRY_YEAR: "YY", CVC: "CVC"}
    for name, placeholder in {**placeholders, POSTCODE: "Postcode"}.items():
        expect(card_input(page, name)).to_have_attribute("placeholder", placeholder)

    card_input(page, CARD_NUMBER).press_sequentially("4242424242424242")
    card_input(page, EXPIRY_MONTH).press_sequentially("12")
    card_input(page, EXPIRY_YEAR).press_sequentially("2030")
    expect(card_input(page, EXPIRY_YEAR)).to_have_value("2030")  # not "20", with "30" in the CVC
    expect(card_input(page, CVC)).to_have_value("")
    card_input(page, CVC).press_sequentially("123")
    card_input(page, POSTCODE).press_sequentially("10001")
    page.get_by_role("button", name="Give $25.00 now").click()

    page.wait_for_url(THANK_YOU_URL)
    expect(page.get_by_role("heading", name="Thank you!")).to_be_visible()
    assert Contribution.objects.get().status == "succeeded"


# The script writes amounts as the server does (Babel), in every currency and both of the site's languages.
AMOUNTS = [0, 5, 99, 100, 2500, 50000, 123456, 100000000, 1234567899]
FORMAT_WITH_THE_PAGES_OWN_FORMATTER = """(amounts) => {
  const config = JSON.parse(document.getElementById("checkout-config").textContent);
  return amounts.map(window.ReaderRevenue.moneyFormatter(config.money));
}"""


@pytest.mark.parametrize(
    ("currency", "language", "locale"),
    [
        ("UAH", "en-US", "en"),
        ("UAH", "uk", "uk"),
        ("USD", "en-US", "en"),
        ("EUR", "en-US", "en"),
        ("EUR", "uk", "uk"),
        ("JPY", "en-US", "en"),
    ],
)
def test_the_script_writes_every_amount_as_the_server_does(
    browser, site, settings, currency, language, locale
):
    settings.CHECKOUT_CURRENCIES = ["USD", "EUR", "UAH", "JPY"]
    context, page = make_page(browser, settings, PHONE, locale=language)
    try:
        open_support_page(page, site, f"?currency={currency}")

        written = page.evaluate(FORMAT_WITH_THE_PAGES_OWN_FORMATTER, AMOUNTS)
        assert written == [format_money(amount, currency, locale) for amount in AMOUNTS]
        limits = amount_limits(currency=currency)
        with translation.override(locale):  # the page is in the reader's language
            hint, button = gettext("Any amount from {min} to {max}."), gettext("Give {amount} now")
        expect(page.locator("#amount-hint")).to_have_text(
            hint.format(
                min=format_money(limits.min_minor, currency, locale),
                max=format_money(limits.max_minor, currency, locale),
            )
        )
        largest = page.locator('.preset-list[data-frequency="one_off"] .preset').last
        server_label = largest.text_content().strip()
        largest.click()
        expect(page.locator("#total-amount")).to_have_text(server_label)
        expect(page.locator("#submit-button")).to_have_text(button.format(amount=server_label))
    finally:
        context.close()
