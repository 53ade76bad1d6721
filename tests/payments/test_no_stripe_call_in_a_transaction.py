"""No Stripe call is made while a database transaction is open: a row lock is never held across the network.

Each test runs a real flow against localstripe with real transactions (not the test's wrapping one) and
records, for every HTTP request the Stripe SDK sends, whether Django was inside an atomic block.
"""

import pytest
import requests
from django.db import connection

from payments import gateway, stripe_import
from payments.ledger import reconciliation, refunds
from payments.models import Contribution, LedgerEntry, Payout, WebhookEvent
from payments.webhooks import processing
from tests.checkout.checkout_support import gift, payment_method, post, refresh, settled_at_stripe_only
from tests.factories import ContributionFactory, MembershipFactory
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
    """The Stripe calls made inside a transaction; refuses a flow that asked Stripe nothing (a blind spy)."""
    assert calls, "the flow asked Stripe nothing: the spy is not seeing the gateway"
    return [path for path, in_transaction in calls if in_transaction]


def test_a_payment_we_never_saw_is_fetched_then_recorded(stripe_calls, deliver_processed, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    customer = flows.customer_with_card(email="outside@example.org")
    flows.paid_intent(amount=5000, currency="eur", customer=customer)
    stripe_calls.clear()

    for event in flows.events("payment_intent.succeeded"):
        deliver_processed(event)

    assert Contribution.objects.get().status == "succeeded"
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


def test_the_thank_you_pages_refresh_asks_stripe_then_records(client, stripe_calls, localstripe):
    contribution = settled_at_stripe_only(client, localstripe)
    stripe_calls.clear()

    refresh(client, str(contribution.public_id))

    contribution.refresh_from_db()
    assert contribution.status == "succeeded"
    assert _inside(stripe_calls) == []


def test_a_failed_renewal_reads_the_subscription_then_records(stripe_calls, deliver_processed):
    customer = flows.customer_with_card(number=flows.DECLINED)
    subscription_id = flows.subscription(customer=customer, plan_id=flows.plan())
    membership = MembershipFactory(stripe_subscription_id=subscription_id, status="active")
    invoice = gateway.to_dict(gateway.client().v1.invoices.list({"subscription": subscription_id}).data[0])
    ContributionFactory(membership=membership, stripe_invoice_id=invoice["id"], frequency="monthly")
    stripe_calls.clear()

    deliver_processed(make_event("invoice.payment_failed", invoice, api_version="2017-08-15"))

    assert Contribution.objects.get().status == "failed"
    assert _inside(stripe_calls) == []


def test_reconciliation_lists_and_fetches_then_records(stripe_calls, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    flows.paid_intent(amount=1200, customer=flows.customer_with_card(email="missed@example.org"))
    stripe_calls.clear()

    report = reconciliation.stripe_reconcile(since=reconciliation.parse_since("2020-01-01"))

    assert report.is_clean
    assert _inside(stripe_calls) == []


def test_the_import_of_an_existing_account_fetches_then_records(stripe_calls):
    customer = flows.customer_with_card(email="existing@example.org")
    flows.subscription(customer=customer, plan_id=flows.plan(amount=1500))
    stripe_calls.clear()

    stripe_import.stripe_account_import()

    assert Contribution.objects.filter(membership__isnull=False).count() == 1
    assert _inside(stripe_calls) == []


def test_a_staff_re_run_calls_stripe_outside_any_transaction(stripe_calls, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    flows.paid_intent(amount=900, customer=flows.customer_with_card(email="rerun@example.org"))
    event = flows.events("payment_intent.succeeded")[0]
    processing.webhook_event_store(event=gateway.parse_event(event))
    stripe_calls.clear()

    outcome = processing.webhook_event_rerun(event=WebhookEvent.objects.get())

    assert outcome == "processed"
    assert _inside(stripe_calls) == []
