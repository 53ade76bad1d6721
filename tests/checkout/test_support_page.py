"""The support and thank-you pages as HTML: choices, presets, currency, attribution, no inline code."""

import json
import re
import uuid
from html.parser import HTMLParser
from pathlib import Path

import pytest

from checkout import selectors
from checkout.fees import fee_for
from checkout.models import AmountPreset
from checkout.presets import STANDARD_PRESETS
from payments import gateway
from payments.models import Contribution, LedgerEntry
from payments.money import format_money
from tests.checkout.checkout_support import WritesCaptured, settled_at_stripe_only
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


class PageParser(HTMLParser):
    """Collects what the assertions below need: scripts, attributes, form fields and their labels."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.attributes: list[tuple[str, str, str | None]] = []
        self.fields: list[dict] = []
        self.label_targets: set[str] = set()
        self.label_depth = 0
        self.head_scripts: list[str] = []
        self.in_head = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.attributes.extend((tag, name, value) for name, value in attrs)
        if tag == "head":
            self.in_head = True
        if tag == "script":
            self.scripts.append(attributes)
            if self.in_head and attributes.get("src"):
                self.head_scripts.append(attributes["src"])
        if tag == "label":
            self.label_depth += 1
            if attributes.get("for"):
                self.label_targets.add(attributes["for"])
        if tag in {"input", "select", "textarea"} and attributes.get("type") != "hidden":
            self.fields.append({**attributes, "inside_label": self.label_depth > 0})

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1
        if tag == "head":
            self.in_head = False


def parse(response) -> PageParser:
    parser = PageParser()
    parser.feed(response.content.decode())
    return parser


def page_config(response) -> dict:
    match = re.search(
        r'<script id="checkout-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, "the page passes its configuration with json_script"
    return json.loads(match.group(1))


def test_support_page_offers_a_one_off_gift_and_a_membership(client):
    response = client.get("/support/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Support us just once" in content
    assert "Become a member" in content
    assert 'name="interval" value="monthly"' in content
    assert 'name="interval" value="annual"' in content


def test_support_page_shows_the_presets_of_the_chosen_currency_with_the_default_checked(client):
    response = client.get("/support/?currency=EUR")

    content = response.content.decode()
    one_off = re.search(r'data-frequency="one_off".*?</div>', content, re.S).group(0)
    assert re.findall(r'value="(\d+)"', one_off) == ["1000", "2500", "5000", "10000"]
    assert re.search(r'value="2500" checked data-default>\s*<span>€25.00</span>', one_off)
    assert page_config(response)["currency"] == "EUR"


def test_presets_follow_what_staff_set_for_the_currency(client):
    AmountPreset.objects.create(currency="GBP", frequency="one_off", amount_minor=700, position=0)
    AmountPreset.objects.create(
        currency="GBP", frequency="one_off", amount_minor=1500, position=1, is_default=True
    )

    content = client.get("/support/?currency=GBP").content.decode()

    one_off = re.search(r'data-frequency="one_off".*?</div>', content, re.S).group(0)
    assert re.findall(r'value="(\d+)"', one_off) == ["700", "1500"]
    assert 'value="1500" checked' in one_off


@pytest.mark.parametrize(
    ("accept_language", "currency"),
    [("en-GB,en;q=0.8", "GBP"), ("uk", "UAH"), ("de-DE", "EUR"), ("fr-CA", "CAD"), ("en-US", "USD")],
)
def test_default_currency_comes_from_the_readers_language(client, accept_language, currency):
    response = client.get("/support/", HTTP_ACCEPT_LANGUAGE=accept_language)

    assert page_config(response)["currency"] == currency
    assert f'<option value="{currency}" selected>' in response.content.decode()


def test_currency_switch_lists_every_enabled_currency_and_keeps_attribution(client):
    content = client.get("/support/?campaign=spring&source=banner").content.decode()

    switch = re.search(r'<form class="currency-switch".*?</form>', content, re.S).group(0)
    assert re.findall(r'<option value="([A-Z]{3})"', switch) == ["USD", "EUR", "GBP", "CAD", "UAH"]
    assert '<input type="hidden" name="campaign" value="spring">' in switch
    assert '<input type="hidden" name="source" value="banner">' in switch


def test_a_currency_that_is_not_enabled_falls_back_to_the_readers_currency(client):
    response = client.get("/support/?currency=XYZ", HTTP_ACCEPT_LANGUAGE="en-GB")

    assert page_config(response)["currency"] == "GBP"


def test_yen_when_enabled_is_offered_in_whole_units_only(client, settings):
    settings.CHECKOUT_CURRENCIES = ["USD", "JPY"]

    response = client.get("/support/?currency=JPY")

    content = response.content.decode()
    config = page_config(response)
    assert (config["currency"], config["exponent"]) == ("JPY", 0)
    assert 'inputmode="numeric"' in content
    assert 'pattern="[0-9]+"' in content
    assert "<span>¥3,000</span>" in content


def test_two_decimal_currency_accepts_at_most_two_decimals(client):
    content = client.get("/support/?currency=USD").content.decode()

    assert 'inputmode="decimal"' in content
    assert 'pattern="[0-9]+([.,][0-9]{1,2})?"' in content


def test_amounts_are_formatted_for_the_readers_language(client):
    response = client.get("/support/?currency=UAH", HTTP_ACCEPT_LANGUAGE="uk")

    content = response.content.decode()
    assert "<span>500,00\u00a0₴</span>" in content
    assert page_config(response)["locale"] == "uk"


def test_attribution_from_the_link_is_carried_into_the_page_data(client):
    response = client.get(
        "/support/?campaign=spring-appeal&source=newsletter&ref=https://news.example/a/42&variant=year-end-b"
        "&utm_source=mail&utm_medium=email&utm_campaign=spring&utm_term=t&utm_content=button"
    )

    assert page_config(response)["attribution"] == {
        "campaign": "spring-appeal",
        "source": "newsletter",
        "ref": "https://news.example/a/42",
        "variant": "year-end-b",
        "utm_source": "mail",
        "utm_medium": "email",
        "utm_campaign": "spring",
        "utm_term": "t",
        "utm_content": "button",
    }


def test_attribution_the_api_would_refuse_is_cleaned_rather_than_blocking_the_gift(client):
    response = client.get("/support/?campaign=Spring Appeal!&source=billboard&ref=" + "x" * 600)

    attribution = page_config(response)["attribution"]
    assert attribution["campaign"] == "spring-appeal"
    assert attribution["source"] == ""
    assert len(attribution["ref"]) == 500


def test_page_data_names_the_api_the_key_limits_and_the_servers_fees(client, settings):
    config = page_config(client.get("/support/?currency=USD"))

    assert config["publishableKey"] == settings.STRIPE_PUBLISHABLE_KEY
    assert config["urls"]["contributions"] == "/api/v1/contributions"
    assert config["urls"]["refresh"] == ("/api/v1/contributions/00000000-0000-0000-0000-000000000000/refresh")
    assert config["urls"]["fee"] == "/api/v1/checkout/fee"
    assert config["limits"]["one_off"] == {"min": 100, "max": 1000000}
    assert "fee" not in config  # no formula for the script to compute with: the server's fees only


def test_page_data_carries_the_servers_fee_for_every_preset(client):
    response = client.get("/support/?currency=EUR")
    config = page_config(response)

    shown = {
        value
        for tag, name, value in parse(response).attributes
        if tag == "input" and name == "value" and value.isdigit()
    }
    presets = {int(amount) for amount in config["presetFees"]}
    assert presets == {int(value) for value in shown}  # every preset of every frequency, no others
    assert config["presetFees"] == {
        str(amount): fee_for(amount_minor=amount, currency="EUR") for amount in presets
    }


def test_fee_shown_for_the_default_amount_is_the_servers_fee(client):
    content = client.get("/support/?currency=USD").content.decode()

    fee = fee_for(amount_minor=2500, currency="USD")
    assert f'<span id="fee-amount">${fee // 100}.{fee % 100:02d}</span>' in content


def test_guest_is_asked_for_email_and_optional_name(client):
    fields = {field.get("id") for field in parse(client.get("/support/")).fields}

    assert {"email", "name", "dedication", "anonymous", "cover-fee", "custom-amount"} <= fields


def test_signed_in_reader_is_not_asked_for_email_again(client):
    user = UserFactory(email="member@example.org")
    client.force_login(user)

    response = client.get("/support/")

    fields = {field.get("id") for field in parse(response).fields}
    assert "email" not in fields
    assert "Giving as <strong>member@example.org</strong>" in response.content.decode()
    assert page_config(response)["signedIn"] is True


def test_stripe_js_is_loaded_from_the_setting_in_the_head(client, settings):
    settings.STRIPE_JS_URL = "http://127.0.0.1:9999/js.stripe.com/v3/"

    parser = parse(client.get("/support/"))

    assert parser.head_scripts[0] == "http://127.0.0.1:9999/js.stripe.com/v3/"
    assert [src.rsplit("/", 1)[-1] for src in parser.head_scripts[1:]] == [
        "checkout-core.js",
        "support-wallet.js",
        "support-tiers.js",
        "support.js",
    ]


def test_support_page_has_no_inline_scripts_handlers_or_styles(client):
    parser = parse(client.get("/support/?campaign=x"))

    inline = [s for s in parser.scripts if not s.get("src") and s.get("type") != "application/json"]
    assert inline == []
    assert [a for a in parser.attributes if a[1].startswith("on") or a[1] == "style"] == []
    assert "<style" not in client.get("/support/").content.decode()


def test_every_field_on_the_support_page_has_a_label(client):
    parser = parse(client.get("/support/"))

    unlabelled = [
        f for f in parser.fields if not f["inside_label"] and f.get("id") not in parser.label_targets
    ]
    assert unlabelled == []


def test_errors_are_wired_for_screen_readers(client):
    content = client.get("/support/").content.decode()

    assert 'id="form-error" role="alert"' in content
    assert 'aria-describedby="amount-hint amount-error"' in content
    assert 'aria-describedby="email-hint email-error"' in content
    assert 'aria-describedby="card-error"' in content
    assert 'role="status" aria-live="polite"' in content


def test_card_brands_we_accept_are_shown(client):
    content = client.get("/support/").content.decode()

    for brand in ("Visa", "Mastercard", "American Express"):
        assert f">{brand}</title>" in content


def own_contribution(client, **fields) -> Contribution:
    contribution = ContributionFactory(**fields)
    session = client.session
    session["checkout_contributions"] = [str(contribution.public_id)]
    session.save()
    return contribution


def test_thank_you_page_shows_amount_frequency_and_last_four(client):
    contribution = own_contribution(
        client,
        status="succeeded",
        amount_minor=2608,
        fee_covered_minor=108,
        card_brand="visa",
        card_last4="4242",
    )

    response = client.get(f"/support/thank-you/{contribution.public_id}/")

    content = response.content.decode()
    assert response.status_code == 200
    assert "Your gift of $26.08 has been received." in content
    assert "$1.08" in content
    assert "One-off" in content
    assert "Visa ending in 4242" in content


def test_thank_you_page_of_someone_elses_contribution_is_not_found(client):
    contribution = ContributionFactory(status="succeeded")

    assert client.get(f"/support/thank-you/{contribution.public_id}/").status_code == 404


def own_paid_gift(client, **fields) -> Contribution:
    """A paid one-off gift whose card Stripe saved on a customer: one that can become a membership."""
    return own_contribution(
        client,
        status="succeeded",
        stripe_payment_intent_id=f"pi_{uuid.uuid4().hex}",
        contributor__stripe_customer_id=f"cus_{uuid.uuid4().hex}",
        **fields,
    )


def test_thank_you_page_offers_to_turn_a_one_off_gift_into_a_monthly_membership(client):
    contribution = own_paid_gift(client, amount_minor=5000)

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "Become a member for $10.00 a month" in content
    assert f'action="/api/v1/contributions/{contribution.public_id}/upgrade"' in content
    assert 'data-amount="1000"' in content


def test_thank_you_page_of_a_membership_offers_no_upgrade(client):
    contribution = own_contribution(client, status="succeeded", frequency="monthly", amount_minor=1000)

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "upgrade-form" not in content
    assert "Your membership of $10.00 a month has started." in content


def test_thank_you_page_of_a_pending_payment_asks_the_api_until_it_settles(client):
    contribution = own_contribution(client, status="requires_action")

    response = client.get(f"/support/thank-you/{contribution.public_id}/")

    content = response.content.decode()
    assert 'data-status="requires_action"' in content
    assert (
        f'<form id="refresh-form" method="post" action="/api/v1/contributions/{contribution.public_id}'
        '/refresh" hidden><input type="hidden" name="csrfmiddlewaretoken"'
    ) in content
    assert any(src.endswith("js/thank-you.js") for src in parse(response).head_scripts)


def test_thank_you_page_of_a_settled_payment_does_not_ask_again(client):
    contribution = own_contribution(client, status="succeeded")

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "refresh-form" not in content


@pytest.mark.integration
def test_thank_you_page_reads_what_we_recorded_and_writes_nothing(client, localstripe, monkeypatch):
    contribution = settled_at_stripe_only(client, localstripe)

    def no_stripe(*args, **kwargs):
        raise AssertionError("a GET asked Stripe")

    monkeypatch.setattr(gateway, "retrieve_payment_intent", no_stripe)
    with WritesCaptured() as captured:
        response = client.get(f"/support/thank-you/{contribution.public_id}/")

    assert response.status_code == 200
    assert "Confirming your payment…" in response.content.decode()  # the script will POST …/refresh
    assert captured.writes == []
    after = Contribution.objects.get(pk=contribution.pk)
    assert (after.status, after.updated_at) == ("requires_action", contribution.updated_at)
    assert LedgerEntry.objects.count() == 0


def test_thank_you_page_offers_the_newsletter_sign_up(client):
    contribution = own_contribution(client, status="succeeded")

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert 'action="/newsletters/signup/"' in content
    assert 'name="source" value="thank_you"' in content


def test_a_link_can_open_the_page_on_the_annual_membership(client):
    content = client.get("/support/?frequency=annual&currency=USD").content.decode()

    assert 'name="kind" value="member" checked' in content
    assert 'name="interval" value="annual" checked' in content
    assert re.search(
        r'<div class="preset-list" data-frequency="annual"[^>]*aria-label="Annual membership">', content
    )
    assert 'data-frequency="one_off" role="radiogroup" aria-label="One-off gift" hidden' in content
    assert "Give $100.00 a year" in content


def test_thank_you_page_of_a_failed_payment_says_so_and_offers_to_try_again(client):
    contribution = own_contribution(
        client, status="failed", failure_code="card_declined", failure_message="Your card was declined."
    )

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "Your payment did not go through" in content
    assert "Your card was declined." in content
    assert 'href="/support/"' in content
    assert "upgrade-form" not in content


# A currency the page cannot take is refused in words; the demo takes every currency it has presets for.


def notice(response, notice_id: str) -> str:
    """The text of the notice, tags left out; "" when the page has none."""
    pattern = rf'<(p|div) class="notice" id="{notice_id}"[^>]*>(.*?)</\1>'
    match = re.search(pattern, response.content.decode(), re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", match.group(2))).strip() if match else ""


def test_a_currency_that_is_not_enabled_is_refused_in_words_on_the_page(client):
    response = client.get("/support/?currency=JPY", HTTP_ACCEPT_LANGUAGE="en-US")

    assert page_config(response)["currency"] == "USD"
    assert notice(response, "currency-notice") == (
        "Japanese Yen is not accepted here; amounts are in US dollars."
    )


def test_a_code_that_is_no_currency_is_refused_in_words_on_the_page(client):
    response = client.get("/support/?currency=XYZ", HTTP_ACCEPT_LANGUAGE="en-GB")

    assert notice(response, "currency-notice") == (
        "This currency is not accepted here; amounts are in British pounds."
    )


def test_the_demo_enables_every_currency_it_has_presets_for():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()

    exported = re.search(r"export CHECKOUT_CURRENCIES \?= (\S+)", makefile)

    assert exported, "make run exports CHECKOUT_CURRENCIES"
    assert set(exported.group(1).split(",")) == set(STANDARD_PRESETS)


# One format per locale and currency for every amount the page shows (Babel's, as in format_money).


def shown_amounts(content: str) -> dict[str, str]:
    """The amounts the server wrote where the script writes them later: preset, total, button, fee."""
    default_preset = re.search(r"checked data-default>\s*<span>(.*?)</span>", content, re.S).group(1)
    total = re.search(r'<strong id="total-amount">(.*?)</strong>', content).group(1)
    button = re.search(r'id="submit-button">(?:Give |Підтримати на )(.*?)(?: now)?</button>', content).group(
        1
    )
    return {"preset": default_preset, "total": total, "button": button}


@pytest.mark.parametrize(
    ("currency", "language", "locale", "default"),
    [
        ("UAH", "en", "en", 50000),
        ("UAH", "uk", "uk", 50000),
        ("USD", "en", "en", 2500),
        ("EUR", "en", "en", 2500),
        ("EUR", "uk", "uk", 2500),
        ("JPY", "en", "en", 3000),
    ],
)
def test_the_same_amount_reads_the_same_everywhere_on_the_support_page(
    client, settings, currency, language, locale, default
):
    settings.CHECKOUT_CURRENCIES = ["USD", "EUR", "UAH", "JPY"]

    content = client.get(f"/support/?currency={currency}", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    expected = format_money(default, currency, locale)
    assert shown_amounts(content) == {"preset": expected, "total": expected, "button": expected}


def test_the_script_gets_babels_format_of_the_pages_currency(client):
    config = page_config(client.get("/support/?currency=UAH", HTTP_ACCEPT_LANGUAGE="en"))

    assert config["money"] == {
        "prefix": "UAH",
        "suffix": "",
        "decimal": ".",
        "group": ",",
        "grouping": [3, 3],
        "exponent": 2,
    }


# A signed-in member is told about the membership they have before starting another.


def signed_in(client, email="member@example.org"):
    user = UserFactory(email=email)
    client.force_login(user)
    return user


def test_a_signed_in_member_is_told_of_their_membership_and_how_to_change_it(client, settings):
    settings.DEFAULT_FROM_EMAIL = "members@news.example"
    user = signed_in(client)
    contributor = ContributorFactory(email=user.email)
    MembershipFactory(contributor=contributor, amount_minor=1500, currency="USD")
    MembershipFactory(contributor=contributor, amount_minor=5000, currency="USD", status="canceled")

    response = client.get("/support/?currency=USD")

    text = notice(response, "membership-notice")
    assert "You are already a member: $15.00 a month." in text  # the canceled one is not named
    assert "To change the amount or how often you give, write to members@news.example." in text
    assert 'href="mailto:members@news.example"' in response.content.decode()


def test_a_member_linked_by_account_with_an_annual_membership_is_told_of_it(client):
    user = signed_in(client)
    MembershipFactory(
        contributor=ContributorFactory(email="old-address@example.org", user=user),
        interval="year",
        amount_minor=10000,
        currency="EUR",
    )

    response = client.get("/support/")

    assert "You are already a member: €100.00 a year." in notice(response, "membership-notice")


# The thank-you page after a refund, and the upgrade offered only while it can be taken.


def test_thank_you_page_after_a_partial_refund_shows_what_was_refunded_and_what_stands(client):
    contribution = own_contribution(
        client, status="partially_refunded", amount_minor=5000, amount_refunded_minor=1250
    )

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "Partially refunded" in content
    assert "We refunded $12.50 of your $50.00 to your card. $37.50 stands as your contribution." in content
    assert re.search(r'<dd id="receipt-refunded">\$12.50</dd>', content)
    assert re.search(r'<dd id="receipt-remaining">\$37.50</dd>', content)


def test_thank_you_page_after_a_full_refund_says_all_of_it_was_refunded(client):
    contribution = own_contribution(client, status="refunded", amount_minor=5000, amount_refunded_minor=5000)

    content = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert "We refunded all of it, $50.00, to your card." in content
    assert re.search(r'<dd id="receipt-remaining">\$0.00</dd>', content)


def test_thank_you_page_reloaded_after_the_upgrade_offers_it_no_more(client):
    gift = own_paid_gift(client, amount_minor=5000)
    ContributionFactory(
        contributor=gift.contributor,
        frequency="monthly",
        amount_minor=1000,
        status="succeeded",
        idempotency_key=selectors.upgrade_key(gift),
    )

    content = client.get(f"/support/thank-you/{gift.public_id}/").content.decode()

    assert "upgrade-form" not in content
    assert "Make it monthly?" not in content


def test_thank_you_page_offers_no_upgrade_when_no_card_was_saved(client):
    gift = own_contribution(client, status="succeeded", amount_minor=5000, stripe_payment_intent_id="pi_x")

    assert "upgrade-form" not in client.get(f"/support/thank-you/{gift.public_id}/").content.decode()
