"""No Stripe call is made while a database transaction is open: a row lock is never held across the network.

Each test runs a real flow against localstripe with real transactions (not the test's wrapping one) and
records, for every HTTP request the Stripe SDK sends, whether Django was inside an atomic block.
"""

import pytest
import requests
from django.db import connection

from payments import gateway
from payments.ledger import refunds
from payments.models import Contribution, LedgerEntry, Payout
from tests.checkout.checkout_support import gift, payment_method, post
from tests.factories import ContributionFactory
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def stripe_calls(monkeypatch, localstripe):
    """(path, inside a transaction?) for every request to localstripe; the request still goes out."""
    calls: list[tuple[str, bool]] = []
    original = requests.Session.request

    def spy(self, method, url, *args, **kwargs):
        if url.startswith(localstripe.url):
            calls.append(
                (f"{method.upper()} {url.split('/v1/', 1)[-1].split('?')[0]}", connection.in_atomic_block)
            )
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    return calls


def _inside(calls):
    return [path for path, in_transaction in calls if in_transaction]


def test_a_payment_we_never_saw_is_fetched_then_recorded(stripe_calls, deliver_processed, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    customer = flows.customer_with_card(email="outside@example.org")
    flows.paid_intent(amount=5000, currency="eur", customer=customer)
    stripe_calls.clear()

    for event in flows.events("payment_intent.succeeded"):
        deliver_processed(event)

    assert Contribution.objects.get().status == "succeeded"
    assert stripe_calls, "the flow asked Stripe nothing: the spy is not seeing the gateway"
    assert _inside(stripe_calls) == []


def test_a_subscription_paid_outside_the_site_is_fetched_then_recorded(
    stripe_calls, deliver_processed, settings
):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    customer = flows.customer_with_card(email="phone@example.org")
    flows.subscription(customer=customer, plan_id=flows.plan(amount=1200, interval="year"))
    stripe_calls.clear()

    for event in flows.events():
        deliver_processed(event)

    assert Contribution.objects.get().membership is not None
    assert _inside(stripe_calls) == []


def test_a_refund_is_fetched_then_recorded(stripe_calls, deliver_processed):
    intent_id = flows.paid_intent(amount=3000)
    ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=3000)
    for event in flows.events("payment_intent.succeeded"):
        deliver_processed(event)
    flows.refund(payment_intent=intent_id, amount=1000)
    stripe_calls.clear()

    deliver_processed(make_event("charge.refunded", flows.charge_of(intent_id)))

    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert _inside(stripe_calls) == []


def test_a_staff_refund_writes_its_request_then_calls_stripe(stripe_calls, deliver_processed):
    intent_id = flows.paid_intent(amount=3000)
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=3000)
    for event in flows.events("payment_intent.succeeded"):
        deliver_processed(event)
    stripe_calls.clear()

    refunds.contribution_refund(contribution=contribution, amount_minor=1000)

    assert "POST refunds" in [path for path, _inside_transaction in stripe_calls]
    assert _inside(stripe_calls) == []


def test_a_payout_lists_its_transactions_before_it_is_stored(stripe_calls, deliver_processed):
    gateway.client().v1.payouts.create({"amount": 5000, "currency": "eur", "status": "paid"})
    stripe_calls.clear()

    for event in flows.events("payout.paid"):
        deliver_processed(event)

    assert Payout.objects.count() == 1
    assert _inside(stripe_calls) == []


def test_checkout_calls_stripe_outside_its_transactions(client, stripe_calls, localstripe):
    post(client, gift())
    post(client, gift(frequency="monthly", payment_method=payment_method()))

    assert Contribution.objects.filter(status="succeeded").count() == 2
    assert _inside(stripe_calls) == []
