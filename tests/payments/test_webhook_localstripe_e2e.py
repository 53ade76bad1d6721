"""End to end: localstripe signs and posts its events to our live server, and they are processed."""

import time

import pytest
from django.conf import settings as django_settings
from django.db import connection

from payments import gateway
from payments.models import Contribution, LedgerEntry, WebhookEvent
from tests.conftest import broker_configured
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory
from tests.localstripe import free_port
from tests.payments import stripe_flows as flows

pytestmark = [
    pytest.mark.integration,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite's shared in-memory test database locks whole tables under the live server's "
        "concurrent requests (localstripe posts events in parallel and never retries)",
    ),
]


@pytest.fixture
def processing(request):
    """Tasks run eagerly without a broker; with Redis, a real worker consumes them."""
    if broker_configured():
        return request.getfixturevalue("celery_worker_thread")
    return None


@pytest.fixture
def webhook_to(localstripe):
    """Register our endpoint with localstripe; afterwards point it at a dead port (it has no delete).

    localstripe posts each event a second after it happens, to whatever is registered then: wait
    that long first so a previous test's events are not posted to this test's server.
    """
    time.sleep(1.5)

    def register(url: str) -> None:
        localstripe.register_webhook(url, django_settings.STRIPE_WEBHOOK_SECRET)

    yield register
    register(f"http://127.0.0.1:{free_port()}/gone")


def wait_until(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return condition()


def test_signed_events_from_localstripe_arrive_and_are_processed(webhook_to, live_server, processing):
    webhook_to(f"{live_server.url}/stripe/webhook")
    gift_intent = flows.paid_intent(amount=4200, currency="eur")
    gift = ContributionFactory(stripe_payment_intent_id=gift_intent, amount_minor=4200, currency="EUR")
    customer = flows.customer_with_card()
    subscription = gateway.client().v1.subscriptions.create(
        {"customer": customer, "items": [{"plan": flows.plan(amount=900)}]}
    )
    membership = MembershipFactory(
        contributor=ContributorFactory(stripe_customer_id=customer), stripe_subscription_id=subscription.id
    )
    first = ContributionFactory(
        contributor=membership.contributor,
        membership=membership,
        frequency="monthly",
        amount_minor=900,
        stripe_invoice_id=gateway.object_id(subscription.latest_invoice),
    )
    renewal_invoice = flows.renewal_invoice(customer=customer, subscription_id=subscription.id)

    assert wait_until(lambda: LedgerEntry.objects.filter(kind="charge").count() == 3)
    assert wait_until(lambda: not WebhookEvent.objects.filter(status__in=["received", "processing"]).exists())

    assert not WebhookEvent.objects.filter(status="failed").exists()
    processed_types = set(WebhookEvent.objects.filter(status="processed").values_list("type", flat=True))
    assert {
        "payment_intent.succeeded",
        "invoice.payment_succeeded",
        "customer.subscription.created",
    } <= processed_types
    assert WebhookEvent.objects.filter(status="ignored", type="customer.created").exists()
    for contribution in (gift, first):
        contribution.refresh_from_db()
        assert contribution.status == Contribution.Status.SUCCEEDED
    renewal = Contribution.objects.get(stripe_invoice_id=renewal_invoice)
    assert (renewal.membership, renewal.status) == (membership, Contribution.Status.SUCCEEDED)
    assert Contribution.objects.count() == 3
