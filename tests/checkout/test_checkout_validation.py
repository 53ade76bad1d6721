"""Bad input gets a 400 naming the field, and nothing is written to the database or to Stripe."""

import json

import pytest
from django.test import Client

from membership.models import Membership
from payments.models import Contribution, Contributor
from tests.checkout.checkout_support import (
    API,
    gift,
    payment_intents,
    post,
)
from tests.checkout.test_support_page import page_config

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"currency": "XYZ"}, "currency"),
        ({"currency": "JPY"}, "currency"),  # a real currency, not enabled by default
        ({"currency": "DOLLARS"}, "currency"),
        ({"amount": -500}, "amount"),
        ({"amount": 0}, "amount"),
        ({"amount": 99}, "amount"),  # below 1.00
        ({"amount": 1_000_001}, "amount"),  # above 10,000.00
        ({"amount": 10**15}, "amount"),
        ({"amount": 10.5}, "amount"),
        ({"amount": 2500.0}, "amount"),
        ({"amount": "2500"}, "amount"),
        ({"amount": True}, "amount"),
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"email": "a" * 250 + "@example.org"}, "email"),
        ({"frequency": "weekly"}, "frequency"),
        ({"name": "n" * 201}, "name"),
        ({"dedication": "d" * 201}, "dedication"),
        ({"ref": "https://example.org/" + "r" * 500}, "ref"),
        ({"campaign": "c" * 101}, "campaign"),
        ({"campaign": "not a slug!"}, "campaign"),
        ({"utm_source": "u" * 101}, "utm_source"),
        ({"source": "s" * 21}, "source"),
        ({"payment_method": "tok_visa"}, "payment_method"),
        ({"payment_method": ""}, "payment_method"),
        ({"cover_fee": "yes"}, "cover_fee"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_writes_nothing(client, localstripe, overrides, field):
    response = post(client, gift(**overrides))

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == field
    assert error["message"]
    assert not Contribution.objects.exists()
    assert not Contributor.objects.exists()
    assert not Membership.objects.exists()
    assert payment_intents() == []


def test_missing_field_is_named(client, localstripe):
    body = gift()
    del body["amount"]

    response = post(client, body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "amount"


def test_unknown_payment_method_is_refused_naming_it(client, localstripe):
    response = post(client, gift(payment_method="pm_doesnotexist"))

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "payment_method"
    assert not Contribution.objects.exists()


def test_membership_needs_a_payment_method_that_can_be_saved(client, localstripe):
    response = post(client, gift(frequency="monthly", amount=1000, payment_method="card_abc123"))

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "payment_method"


def test_malformed_json_gets_the_same_error_shape(client, localstripe):
    response = client.post(f"{API}/contributions", data="{not json", content_type="application/json")

    assert response.status_code == 400
    assert "error" in response.json()


def test_post_without_csrf_token_is_refused(localstripe):
    response = post(Client(enforce_csrf_checks=True), gift())

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert not Contribution.objects.exists()


def test_post_with_csrf_token_is_accepted(localstripe):
    browser = Client(enforce_csrf_checks=True)
    browser.get("/accounts/login/")  # a page with a form sets the csrftoken cookie
    response = browser.post(
        f"{API}/contributions",
        data=json.dumps(gift()),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )

    assert response.status_code == 201


TEXT_FIELDS = [
    "name",
    "dedication",
    "ref",
    "source",
    "campaign",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_term",
    "utm_content",
    "email",
]


@pytest.mark.parametrize("field", TEXT_FIELDS)
def test_nul_in_a_text_field_is_refused_naming_it_and_writes_nothing(client, localstripe, field):
    response = post(client, gift(**{field: "spring\x00appeal"}))

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == field
    assert not Contribution.objects.exists()
    assert not Contributor.objects.exists()
    assert payment_intents() == []


@pytest.mark.parametrize(
    "text",
    ["Ada\x1bReader", "Ada\tReader", "Ada\nReader", "Ada\x7fReader", "Ada\x85Reader", "Ada\ud800Reader"],
    ids=["escape", "tab", "newline", "delete", "c1-next-line", "lone-surrogate"],
)
def test_other_control_characters_and_lone_surrogates_are_refused(client, localstripe, text):
    response = post(client, gift(name=text))

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["field"] == "name"
    assert "name" in error["message"]
    assert not Contribution.objects.exists()


def test_idempotency_key_longer_than_its_column_is_refused_naming_the_header(client, localstripe):
    too_long = post(client, gift(), key="k" * 256)
    longest = post(client, gift(), key="k" * 255)

    assert too_long.status_code == 400
    error = too_long.json()["error"]
    assert error["field"] == "Idempotency-Key"
    assert "255" in error["message"]
    assert longest.status_code == 201
    assert Contribution.objects.get().idempotency_key == "k" * 255
    assert len(payment_intents()) == 1


def test_idempotency_keys_that_differ_after_255_characters_are_not_taken_for_one(client, localstripe):
    first = post(client, gift(), key="k" * 255 + "-first")
    second = post(client, gift(amount=9900), key="k" * 255 + "-second")

    assert (first.status_code, second.status_code) == (400, 400)
    assert not Contribution.objects.exists()


def test_idempotency_key_with_a_nul_is_refused_naming_the_header(client, localstripe):
    response = post(client, gift(), key="attempt\x00-1")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "Idempotency-Key"
    assert not Contribution.objects.exists()


def test_support_page_drops_control_characters_from_its_link_and_the_gift_goes_through(client, localstripe):
    page = client.get(
        "/support/?utm_source=mail%00ing&utm_medium=e%1Bmail&ref=https://news.example/a%0A42"
        "&campaign=spring%00appeal&source=news%00letter"
    )

    assert page.status_code == 200
    attribution = page_config(page)["attribution"]
    assert attribution["utm_source"] == "mailing"
    assert attribution["utm_medium"] == "email"
    assert attribution["ref"] == "https://news.example/a42"
    assert attribution["campaign"] == "springappeal"
    assert attribution["source"] == "newsletter"
    response = post(client, gift(**attribution))
    assert response.status_code == 201, response.content
    assert Contribution.objects.get().utm_source == "mailing"
