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
    browser.get("/admin/login/")  # a page with a form sets the csrftoken cookie
    response = browser.post(
        f"{API}/contributions",
        data=json.dumps(gift()),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=browser.cookies["csrftoken"].value,
    )

    assert response.status_code == 201
