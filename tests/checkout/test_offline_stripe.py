"""The demo's stand-in for Stripe.js on localstripe: a dev-only endpoint, a gateway call that refuses real
Stripe, and the shim script on the pages only when STRIPE_OFFLINE_SHIM is on."""

import os
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.test import Client

from checkout.offline_stripe import clean_card
from payments import gateway
from tests.checkout.test_support_page import own_paid_gift

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
URL = "/dev/offline-stripe/payment-methods"
VISA = {"number": "4242424242424242", "exp_month": "12", "exp_year": "2030", "cvc": "123"}


@pytest.fixture
def shim_on(settings, localstripe):
    settings.STRIPE_OFFLINE_SHIM = True
    return localstripe


def post_card(client, card):
    return client.post(URL, card, content_type="application/json")


class ScriptTags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []

    def handle_starttag(self, tag, attrs):
        if tag == "script" and dict(attrs).get("src"):
            self.scripts.append(dict(attrs))


def scripts(response) -> list[dict]:
    parser = ScriptTags()
    parser.feed(response.content.decode())
    return parser.scripts


def shim_tags(response) -> list[dict]:
    return [s for s in scripts(response) if s["src"].endswith("/offline-stripe-shim.js")]


def test_endpoint_is_not_found_when_the_shim_is_off(client, settings, localstripe):
    settings.STRIPE_OFFLINE_SHIM = False

    assert post_card(client, VISA).status_code == 404


def test_endpoint_is_not_found_without_an_offline_stripe_even_when_asked_for(client, settings):
    settings.STRIPE_OFFLINE_SHIM = True
    settings.STRIPE_API_BASE = None

    assert post_card(client, VISA).status_code == 404


def test_endpoint_creates_a_payment_method_on_localstripe_in_stripe_js_shape(client, shim_on):
    response = post_card(client, VISA)

    assert response.status_code == 200
    payment_method = response.json()["paymentMethod"]
    assert payment_method["id"].startswith("pm_")
    assert (payment_method["card"]["last4"], payment_method["card"]["exp_year"]) == ("4242", 2030)
    assert gateway.retrieve_card(payment_method["id"]).last4 == "4242"


def test_endpoint_refuses_a_post_without_the_csrf_token(shim_on):
    response = post_card(Client(enforce_csrf_checks=True), VISA)

    assert response.status_code == 403


def test_endpoint_accepts_only_post(client, shim_on):
    assert client.get(URL).status_code == 405


@pytest.mark.parametrize(
    ("card", "field", "code"),
    [
        ({**VISA, "number": ""}, "number", "incomplete_number"),
        ({**VISA, "number": "4242424242424241"}, "number", "invalid_number"),
        ({**VISA, "exp_month": "13"}, "exp_month", "invalid_expiry_month"),
        ({**VISA, "exp_year": "203"}, "exp_year", "invalid_expiry_year"),
        ({**VISA, "cvc": "12a"}, "cvc", "invalid_cvc"),
        ({**VISA, "cvc": ["123"]}, "cvc", "invalid_request"),
    ],
)
def test_bad_card_input_is_refused_naming_the_field(client, shim_on, card, field, code):
    response = post_card(client, card)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert response.json()["error"]["code"] == code


@pytest.mark.parametrize("typed", ["30", "2030"])
def test_an_expiry_year_of_two_digits_or_four_is_the_same_year(typed):
    assert clean_card({**VISA, "exp_year": typed})["exp_year"] == 2030


def test_a_body_that_is_not_json_is_refused(client, shim_on):
    response = client.post(URL, "number=4242", content_type="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"


def test_a_card_localstripe_refuses_comes_back_as_a_stripe_js_error(client, shim_on):
    response = post_card(client, {**VISA, "exp_year": "2018"})

    assert response.status_code == 402
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("card_error", "invalid_expiry_year")
    assert error["message"]


def test_gateway_refuses_raw_card_numbers_without_an_offline_stripe(settings):
    settings.STRIPE_API_BASE = None

    with pytest.raises(gateway.OfflineOnlyError):
        gateway.create_card_payment_method_offline(
            number="4242424242424242", exp_month=12, exp_year=30, cvc="123"
        )


def test_support_page_loads_the_shim_right_after_stripe_js_when_on(client, shim_on, settings):
    response = client.get("/support/")

    sources = [s["src"] for s in scripts(response)]
    assert sources[0] == settings.STRIPE_JS_URL
    assert sources[1].endswith("/static/js/offline-stripe-shim.js")
    (tag,) = shim_tags(response)
    assert tag["data-payment-methods-url"] == URL
    assert tag["data-csrf-token"]


def test_shim_names_the_card_inputs_in_the_pages_language(client, shim_on):
    (tag,) = shim_tags(client.get("/support/"))

    labels = {name: tag[f"data-label-{name}"] for name in ("number", "exp-month", "exp-year", "cvc")}
    placeholders = {name: tag[f"data-placeholder-{name}"] for name in ("exp-month", "exp-year", "cvc")}
    assert labels == {
        "number": "Card number",
        "exp-month": "Expiry month",
        "exp-year": "Expiry year",
        "cvc": "Security code (CVC)",
    }
    assert placeholders == {"exp-month": "MM", "exp-year": "YY", "cvc": "CVC"}
    assert tag["data-placeholder-postal-code"] == "Postcode"


def test_support_page_has_no_shim_when_off(client, settings, localstripe):
    settings.STRIPE_OFFLINE_SHIM = False

    assert shim_tags(client.get("/support/")) == []


def test_support_page_never_has_the_shim_on_real_stripe(client, settings):
    settings.STRIPE_OFFLINE_SHIM = True
    settings.STRIPE_API_BASE = None

    assert shim_tags(client.get("/support/")) == []


def test_thank_you_page_offering_an_upgrade_loads_the_shim_after_stripe_js(client, shim_on, settings):
    contribution = own_paid_gift(client, amount_minor=5000)

    response = client.get(f"/support/thank-you/{contribution.public_id}/")

    assert response.status_code == 200
    sources = [s["src"] for s in scripts(response)]
    assert sources[:2] == [settings.STRIPE_JS_URL, "/static/js/offline-stripe-shim.js"]


def _shim_setting(**env_overrides: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "STRIPE_", "DATABASE_"))}
    env.update(
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="example.org",
        STRIPE_SECRET_KEY="sk_test_x",
        STAGING_SITE="true",
        STRIPE_PUBLISHABLE_KEY="pk_test_x",
        STRIPE_WEBHOOK_SECRET="whsec_x",
        MEMBER_TOKEN_SECRET="m" * 48,
        **env_overrides,
    )
    code = "from django.conf import settings; print(settings.STRIPE_OFFLINE_SHIM)"
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"DJANGO_DEBUG": "true", "STRIPE_API_BASE": "http://127.0.0.1:8420"}, "True"),
        ({"DJANGO_DEBUG": "false", "STRIPE_API_BASE": "http://127.0.0.1:8420"}, "False"),
        (
            {
                "DJANGO_DEBUG": "true",
                "STRIPE_API_BASE": "http://127.0.0.1:8420",
                "STRIPE_OFFLINE_SHIM": "false",
            },
            "False",
        ),
        ({"DJANGO_DEBUG": "true"}, "False"),
        ({"DJANGO_DEBUG": "true", "STRIPE_OFFLINE_SHIM": "true"}, "False"),
    ],
)
def test_shim_setting_is_on_by_default_only_when_debugging_on_an_offline_stripe(env, expected):
    assert _shim_setting(**env) == expected
