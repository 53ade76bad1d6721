"""Reconciliation repairs what was never delivered, ties the ledger to Stripe, and is idempotent."""

from collections import Counter
from datetime import UTC, datetime

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Sum

from payments import gateway
from payments.ledger import refunds
from payments.models import Contribution, LedgerEntry, Payout, ReconciliationReport, WebhookEvent
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory
from tests.payments import stripe_flows as flows

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _stripe_net_per_currency() -> dict[str, int]:
    """localstripe's own view: succeeded charges minus succeeded refunds, per currency."""
    stripe = gateway.client()
    net: Counter = Counter()
    for charge in stripe.v1.charges.list({"limit": 100}).data:
        if charge.status == "succeeded":
            net[charge.currency.upper()] += charge.amount
    for refund in stripe.v1.refunds.list({"limit": 100}).data:
        if refund.status == "succeeded":
            net[refund.currency.upper()] -= refund.amount
    return dict(net)


def _ledger_net_per_currency() -> dict[str, int]:
    rows = (
        LedgerEntry.objects.filter(kind__in=["charge", "refund"])
        .values("currency")
        .annotate(total=Sum("amount_minor"))
    )
    return {row["currency"]: row["total"] for row in rows}


def _state() -> tuple:
    return (
        WebhookEvent.objects.count(),
        list(WebhookEvent.objects.order_by("id").values_list("status", "attempts")),
        list(LedgerEntry.objects.order_by("id").values_list("kind", "stripe_object_id", "amount_minor")),
        list(
            Contribution.objects.order_by("id").values_list("status", "amount_refunded_minor", "updated_at")
        ),
    )


def test_ledger_sums_per_currency_equal_stripe_after_payments_refunds_and_renewals(
    localstripe, deliver_processed, settings
):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    usd = flows.paid_intent(amount=2500, currency="usd")
    eur = flows.paid_intent(amount=4000, currency="eur")
    jpy = flows.paid_intent(amount=3000, currency="jpy")
    flows.paid_intent(amount=1999, currency="gbp")  # made outside the site: recorded from Stripe data
    for intent_id, amount, currency in [(usd, 2500, "USD"), (eur, 4000, "EUR"), (jpy, 3000, "JPY")]:
        ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=amount, currency=currency)
    customer = flows.customer_with_card()
    subscription_id = flows.subscription(customer=customer, plan_id=flows.plan(amount=800, currency="eur"))
    MembershipFactory(
        contributor=ContributorFactory(stripe_customer_id=customer),
        stripe_subscription_id=subscription_id,
        amount_minor=800,
        currency="EUR",
    )
    flows.renewal_invoice(customer=customer, subscription_id=subscription_id)
    flows.renewal_invoice(customer=customer, subscription_id=subscription_id)
    for event in flows.events():
        assert deliver_processed(event).status_code == 200
    refunds.contribution_refund(
        contribution=Contribution.objects.get(stripe_payment_intent_id=eur), amount_minor=1500
    )
    refunds.contribution_refund(
        contribution=Contribution.objects.get(stripe_payment_intent_id=jpy), amount_minor=3000
    )

    assert (
        _ledger_net_per_currency()
        == _stripe_net_per_currency()
        == {
            "USD": 2500,
            "EUR": 4000 - 1500 + 3 * 800,
            "JPY": 0,
            "GBP": 1999,
        }
    )
    assert Contribution.objects.filter(frequency="monthly").count() == 3
    report = reconciliation_report()
    assert report.differences == {}


def reconciliation_report() -> ReconciliationReport:
    call_command("reconcile_stripe", "--since", "2020-01-01")
    return ReconciliationReport.objects.latest("started_at")


def test_reconcile_repairs_an_event_that_was_never_delivered(localstripe):
    intent_id = flows.paid_intent(amount=6100, currency="eur")
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=6100, currency="EUR")

    report = reconciliation_report()

    stored = WebhookEvent.objects.get(type="payment_intent.succeeded")
    assert stored.status == WebhookEvent.Status.PROCESSED
    assert stored.attempts_log.get().trigger == "reconcile"
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.SUCCEEDED
    assert LedgerEntry.objects.get().amount_minor == 6100
    assert report.events_stored == report.events_seen > 0
    assert report.differences == {}


def test_reconcile_run_twice_changes_nothing_the_second_time(localstripe, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    intent_id = flows.paid_intent(amount=700)
    ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=700)
    flows.refund(payment_intent=intent_id, amount=200)
    reconciliation_report()
    before = _state()

    second = reconciliation_report()

    assert _state() == before
    assert (second.events_stored, second.events_processed, second.payments_repaired) == (0, 0, 0)
    assert second.differences == {}


def test_reconcile_records_a_refund_stripe_never_announced(localstripe, deliver_processed):
    intent_id = flows.paid_intent(amount=900)
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=900)
    for event in flows.events():
        deliver_processed(event)
    refund_id = flows.refund(payment_intent=intent_id)  # localstripe sends no charge.refunded

    report = reconciliation_report()

    assert LedgerEntry.objects.get(kind="refund").stripe_object_id == refund_id
    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.REFUNDED
    assert report.payments_repaired == 1


def test_reconcile_reports_ledger_entries_stripe_does_not_have(localstripe):
    LedgerEntry.objects.create(
        kind="charge",
        stripe_object_id="ch_ghost",
        amount_minor=500,
        currency="USD",
        occurred_at=datetime.now(tz=UTC),
    )

    report = reconciliation_report()

    assert report.differences == {
        "charges USD": {"stripe": 0, "ledger": 500, "stripe_count": 0, "ledger_count": 1}
    }


def test_reconcile_refuses_a_since_that_is_not_a_date(localstripe):
    with pytest.raises(CommandError, match="--since"):
        call_command("reconcile_stripe", "--since", "last tuesday")


def test_reconcile_stores_a_paid_payout_it_never_heard_of(localstripe):
    payout = gateway.client().v1.payouts.create({"amount": 7000, "currency": "eur", "status": "paid"})

    reconciliation_report()

    stored = Payout.objects.get()
    assert (stored.stripe_payout_id, stored.amount_minor, stored.currency) == (payout.id, 7000, "EUR")
