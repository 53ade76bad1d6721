"""Stripe delivers at least once, late and out of order: the platform ends in the same state."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from membership.models import Membership
from payments.models import Contribution, LedgerEntry, WebhookEvent
from payments.webhooks import processing
from tests.factories import ContributionFactory, MembershipFactory
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event
from tests.stripe_fixtures import stripe_object

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_same_payment_event_delivered_twice_records_one_ledger_entry(localstripe, deliver_processed):
    intent_id = flows.paid_intent(amount=2500)
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id)
    event = flows.events("payment_intent.succeeded")[0]

    first, second = deliver_processed(event), deliver_processed(event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.PROCESSED
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount_minor, entry.contribution) == ("charge", 2500, contribution)
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.SUCCEEDED


def test_same_payment_reported_by_two_different_events_records_one_entry(localstripe, deliver_processed):
    intent_id = flows.paid_intent(amount=900)
    ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=900)
    event = flows.events("payment_intent.succeeded")[0]
    redelivered = {**event, "id": event["id"] + "_redelivered"}

    deliver_processed(event)
    deliver_processed(redelivered)

    assert WebhookEvent.objects.filter(status="processed").count() == 2
    assert LedgerEntry.objects.filter(kind="charge").count() == 1


def test_subscription_deleted_before_updated_ends_canceled(deliver_processed):
    membership = MembershipFactory(stripe_subscription_id="sub_order")
    now = int(time.time())
    updated = stripe_object("subscription", id="sub_order", status="active")
    deleted = stripe_object("subscription", id="sub_order", status="canceled", canceled_at=now, ended_at=now)

    deliver_processed(make_event("customer.subscription.deleted", deleted, created=now))
    deliver_processed(make_event("customer.subscription.updated", updated, created=now - 60))

    membership.refresh_from_db()
    assert membership.status == Membership.Status.CANCELED
    assert WebhookEvent.objects.filter(status="processed").count() == 2


def test_invoice_paid_and_payment_succeeded_for_one_payment_record_one_entry(localstripe, deliver_processed):
    customer = flows.customer_with_card()
    subscription_id = flows.subscription(customer=customer, plan_id=flows.plan(amount=1500))
    membership = MembershipFactory(stripe_subscription_id=subscription_id, amount_minor=1500)
    succeeded = flows.events("invoice.payment_succeeded")[0]
    invoice = succeeded["data"]["object"]
    ContributionFactory(
        membership=membership,
        contributor=membership.contributor,
        stripe_invoice_id=invoice["id"],
        amount_minor=1500,
        frequency="monthly",
    )
    paid = make_event("invoice.paid", invoice, created=succeeded["created"], api_version="2017-08-15")

    deliver_processed(paid)
    deliver_processed(succeeded)

    assert LedgerEntry.objects.filter(kind="charge").count() == 1
    assert Contribution.objects.count() == 1
    assert Contribution.objects.get().status == Contribution.Status.SUCCEEDED


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs row locks of PostgreSQL (SQLite serialises)"
)
@pytest.mark.django_db(transaction=True)
def test_same_event_processed_concurrently_records_one_entry(localstripe, celery_eager):
    intent_id = flows.paid_intent(amount=4200)
    ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=4200)
    event = flows.events("payment_intent.succeeded")[0]
    processing.webhook_event_store(event=processing.gateway.parse_event(event))
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            return processing.webhook_event_process(stripe_event_id=event["id"], final_attempt=True)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = [pool.submit(worker) for _ in range(4)]
    outcomes = [future.result() for future in futures]  # re-raises whatever a worker raised

    assert sorted(outcomes) == ["processed", "skipped", "skipped", "skipped"]
    assert LedgerEntry.objects.filter(kind="charge").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent writers of PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_events_of_one_payment_processed_concurrently_record_one_entry(localstripe, celery_eager):
    intent_id = flows.paid_intent(amount=4300)
    ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=4300)
    event = flows.events("payment_intent.succeeded")[0]
    twins = [event, {**event, "id": event["id"] + "_twin"}]
    for item in twins:
        processing.webhook_event_store(event=processing.gateway.parse_event(item))
    barrier = threading.Barrier(2)

    def worker(stripe_event_id):
        try:
            barrier.wait()
            return processing.webhook_event_process(stripe_event_id=stripe_event_id, final_attempt=True)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(worker, item["id"]) for item in twins]
    outcomes = [future.result() for future in futures]  # re-raises whatever a worker raised

    assert outcomes == ["processed", "processed"]  # each event handled, neither failed
    assert LedgerEntry.objects.filter(kind="charge").count() == 1
