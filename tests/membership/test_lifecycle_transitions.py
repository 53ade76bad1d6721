"""Every lifecycle transition, driven as Stripe drives it: signed webhooks in today's shapes, and
localstripe for everything it can serve (customers, cards, subscriptions, invoices, payments).

localstripe never moves time and never makes a subscription past due, so Stripe's report of a
subscription that localstripe cannot reach (past due, renewed, canceled at period end) comes from
the webhook payload, and a fetch of it is answered from the same payload (`stripe_reports`).
"""

import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from membership.invoices import invoice_record
from membership.lifecycle import Cause
from membership.models import Membership, MembershipEvent
from membership.services import membership_from_stripe
from payments import gateway
from payments.ledger.reconciliation import stripe_reconcile
from payments.models import Contribution, LedgerEntry
from tests.membership.payloads import invoice_payload, subscription_payload
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
Kind = MembershipEvent.Kind
State = Membership.State
DAY = 86400


class Member:
    """A member of the platform on localstripe: customer with a card, a platform subscription, its row."""

    def __init__(self, *, amount: int = 1000, currency: str = "usd", interval: str = "month", customer=None):
        self.customer = customer or flows.customer_with_card()
        self.subscription_id = flows.subscription(
            customer=self.customer, plan_id=flows.plan(amount=amount, currency=currency, interval=interval)
        )
        with time_machine.travel(time.time() - 3600, tick=True):  # joined an hour before the events below
            self.membership = membership_from_stripe(
                subscription_id=self.subscription_id, cause=Cause.reader(), amount_hint=None
            )
            first_invoice = gateway.retrieve_subscription(self.subscription_id).latest_invoice_id
            invoice_record(invoice=gateway.retrieve_invoice(first_invoice), trust_stripe=True)
        self.created = int(time.time()) - 40 * DAY
        self.amount, self.currency, self.interval = amount, currency, interval

    def snapshot(self, **changes) -> dict:
        fields = {
            "subscription_id": self.subscription_id,
            "customer": self.customer,
            "amount": self.amount,
            "currency": self.currency,
            "interval": self.interval,
            "created": self.created,
            "period_end": int(time.time()) + 20 * DAY,
            **changes,
        }
        return subscription_payload(**fields)

    def refreshed(self) -> Membership:
        self.membership.refresh_from_db()
        return self.membership

    def kinds(self) -> list[str]:
        return list(self.membership.events.order_by("id").values_list("kind", flat=True))


def _updated(snapshot: dict, *, at: int, event_type: str = "customer.subscription.updated") -> dict:
    return make_event(event_type, snapshot, created=at)


def test_a_new_platform_subscription_starts_the_membership_once(localstripe):
    member = Member()

    membership_from_stripe(subscription_id=member.subscription_id, cause=Cause.reader())

    assert member.refreshed().state == State.ACTIVE
    assert member.kinds() == [Kind.STARTED]


def test_failed_renewal_is_past_due_then_paid_invoice_recovers_it(
    localstripe, stripe_reports, deliver_processed
):
    member = Member()
    now = int(time.time())
    invoice = flows.failed_renewal_invoice(customer=member.customer, subscription_id=member.subscription_id)
    stripe_reports[member.subscription_id] = member.snapshot(status="past_due", latest_invoice=invoice)
    failed = invoice_payload(
        invoice_id=invoice,
        customer=member.customer,
        subscription_id=member.subscription_id,
        status="open",
        created=now - 60,
    )

    deliver_processed(make_event("invoice.payment_failed", failed, created=now - 50))

    membership = member.refreshed()
    assert membership.state == State.PAST_DUE
    assert membership.is_active  # benefits kept through the grace period
    assert membership.past_due_since is not None
    failure = membership.events.get(kind=Kind.PAYMENT_FAILED)
    assert (failure.stripe_invoice_id, failure.cause) == (invoice, MembershipEvent.Cause.STRIPE)

    # The reader updates the card; Stripe retries the invoice and it is paid.
    flows.pay_with_new_card(customer=member.customer, invoice_id=invoice)
    stripe_reports[member.subscription_id] = member.snapshot(status="active", latest_invoice=invoice)
    paid = {**failed, "status": "paid", "amount_paid": 1000, "amount_remaining": 0}
    paid["status_transitions"] = {**failed["status_transitions"], "paid_at": now}
    deliver_processed(make_event("invoice.paid", paid, created=now))

    membership = member.refreshed()
    assert (membership.state, membership.past_due_since) == (State.ACTIVE, None)
    assert member.kinds() == [Kind.STARTED, Kind.PAYMENT_FAILED, Kind.RENEWED, Kind.RECOVERED]
    recovered = membership.events.get(kind=Kind.RECOVERED)
    assert recovered.stripe_invoice_id == invoice
    renewal = Contribution.objects.get(stripe_invoice_id=invoice)
    assert (renewal.membership_id, renewal.status) == (membership.pk, Contribution.Status.SUCCEEDED)
    assert LedgerEntry.objects.filter(contribution=renewal).count() == 1


def test_a_failure_reported_twice_and_by_the_subscription_too_is_one_event(
    localstripe, stripe_reports, deliver_processed
):
    member = Member()
    now = int(time.time())
    invoice = flows.failed_renewal_invoice(customer=member.customer, subscription_id=member.subscription_id)
    past_due = member.snapshot(status="past_due", latest_invoice=invoice)
    stripe_reports[member.subscription_id] = past_due
    failed = make_event(
        "invoice.payment_failed",
        invoice_payload(
            invoice_id=invoice,
            customer=member.customer,
            subscription_id=member.subscription_id,
            status="open",
            created=now - 5,
        ),
        created=now - 4,
    )

    deliver_processed(_updated(past_due, at=now - 3))
    deliver_processed(failed)
    deliver_processed(failed)

    assert member.kinds().count(Kind.PAYMENT_FAILED) == 1


def test_cancel_at_period_end_is_canceling_until_the_period_ends_then_ended(localstripe, deliver_processed):
    member = Member()
    now = int(time.time())
    period_end = now + 20 * DAY
    canceling = member.snapshot(cancel_at_period_end=True, canceled_at=now - 10, period_end=period_end)

    deliver_processed(_updated(canceling, at=now - 10))

    membership = member.refreshed()
    assert (membership.state, membership.is_active) == (State.CANCELING, True)
    assert membership.events.get(kind=Kind.CANCEL_REQUESTED).occurred_at.timestamp() == now - 10

    ended = member.snapshot(
        status="canceled", cancel_at_period_end=True, canceled_at=now - 10, ended_at=period_end
    )
    deleted = _updated(ended, at=period_end, event_type="customer.subscription.deleted")
    deliver_processed(deleted)
    deliver_processed(deleted)

    membership = member.refreshed()
    assert (membership.state, membership.is_active) == (State.ENDED, False)
    assert membership.ended_at.timestamp() == period_end
    assert member.kinds() == [Kind.STARTED, Kind.CANCEL_REQUESTED, Kind.ENDED]


def test_a_withdrawn_cancellation_is_recorded_and_the_membership_is_active_again(
    localstripe, deliver_processed
):
    member = Member()
    now = int(time.time())

    deliver_processed(_updated(member.snapshot(cancel_at_period_end=True), at=now - 20))
    deliver_processed(_updated(member.snapshot(cancel_at_period_end=False), at=now - 10))

    assert member.refreshed().state == State.ACTIVE
    assert member.kinds() == [Kind.STARTED, Kind.CANCEL_REQUESTED, Kind.CANCEL_WITHDRAWN]


def test_a_lapsed_member_who_gives_monthly_again_is_reactivated_and_keeps_the_history(
    localstripe, deliver_processed
):
    first = Member()
    now = int(time.time())
    deliver_processed(
        _updated(
            first.snapshot(status="canceled", ended_at=now),
            at=now,
            event_type="customer.subscription.deleted",
        )
    )

    assert first.refreshed().state == State.ENDED
    again = Member(customer=first.customer, amount=1500)

    assert again.membership.contributor_id == first.membership.contributor_id
    assert again.kinds() == [Kind.REACTIVATED]
    assert first.kinds() == [Kind.STARTED, Kind.ENDED]


def test_a_second_membership_of_a_live_member_is_started_not_reactivated(localstripe):
    euros = Member(currency="eur")

    dollars = Member(customer=euros.customer, currency="usd")

    assert dollars.kinds() == [Kind.STARTED]
    assert Membership.objects.filter(contributor=euros.membership.contributor).count() == 2


def test_amount_up_then_down_records_old_and_new_monthly_amounts(localstripe, deliver_processed):
    member = Member(amount=1000)
    now = int(time.time())

    deliver_processed(_updated(member.snapshot(amount=2500), at=now - 20))
    deliver_processed(_updated(member.snapshot(amount=800), at=now - 10))

    changes = member.refreshed().events.filter(kind=Kind.AMOUNT_CHANGED).order_by("occurred_at")
    assert [(e.previous_monthly_amount_minor, e.monthly_amount_minor) for e in changes] == [
        (1000, 2500),
        (2500, 800),
    ]
    assert member.membership.amount_minor == 800


def test_monthly_to_annual_is_an_interval_change_with_the_monthly_equivalent(localstripe, deliver_processed):
    member = Member(amount=1000)

    deliver_processed(_updated(member.snapshot(amount=10800, interval="year"), at=int(time.time())))

    membership = member.refreshed()
    assert (membership.interval, membership.amount_minor) == ("year", 10800)
    change = membership.events.get(kind=Kind.INTERVAL_CHANGED)
    assert (change.previous_interval, change.interval) == ("month", "year")
    assert (change.previous_monthly_amount_minor, change.monthly_amount_minor) == (1000, 900)
    assert not membership.events.filter(kind=Kind.AMOUNT_CHANGED).exists()


def test_changes_delivered_newest_first_end_in_the_newest_state_with_no_extra_events(
    localstripe, deliver_processed
):
    member = Member(amount=1000)
    now = int(time.time())
    older = _updated(member.snapshot(amount=2000), at=now - 20)
    newer = _updated(member.snapshot(amount=3000, cancel_at_period_end=True), at=now - 10)

    for event in (newer, older, newer, older):
        deliver_processed(event)

    membership = member.refreshed()
    assert (membership.amount_minor, membership.state) == (3000, State.CANCELING)
    assert member.kinds() == [Kind.STARTED, Kind.AMOUNT_CHANGED, Kind.CANCEL_REQUESTED]


def test_a_renewal_delivered_twice_is_one_contribution_and_one_renewed_event(localstripe, deliver_processed):
    member = Member()
    invoice = flows.renewal_invoice(customer=member.customer, subscription_id=member.subscription_id)
    paid = invoice_payload(
        invoice_id=invoice,
        customer=member.customer,
        subscription_id=member.subscription_id,
        status="paid",
        created=int(time.time()),
        paid_at=int(time.time()),
    )
    event = make_event("invoice.paid", paid)

    deliver_processed(event)
    deliver_processed(make_event("invoice.payment_succeeded", paid))

    assert Contribution.objects.filter(stripe_invoice_id=invoice).count() == 1
    assert member.kinds() == [Kind.STARTED, Kind.RENEWED]


def test_an_invoice_of_a_subscription_the_platform_did_not_create_records_nothing(
    localstripe, deliver_processed
):
    customer = flows.customer_with_card()
    podcast = flows.subscription(customer=customer, plan_id=flows.plan(product="prod_podcast"), ours=False)
    invoice = flows.renewal_invoice(customer=customer, subscription_id=podcast)
    paid = invoice_payload(
        invoice_id=invoice,
        customer=customer,
        subscription_id=podcast,
        status="paid",
        created=int(time.time()),
        paid_at=int(time.time()),
    )

    response = deliver_processed(make_event("invoice.paid", paid))

    assert response.status_code == 200
    assert not Membership.objects.exists()
    assert not Contribution.objects.exists()
    assert not LedgerEntry.objects.exists()


def test_another_products_subscription_is_never_recorded_by_its_events_or_by_reconciliation(
    localstripe, deliver_processed
):
    customer = flows.customer_with_card()
    flows.subscription(customer=customer, plan_id=flows.plan(product="prod_podcast"), ours=False)

    for event in flows.events():
        assert deliver_processed(event).status_code == 200
    report = stripe_reconcile(since=timezone.now() - timedelta(days=1))

    assert not Membership.objects.exists()
    assert not Contribution.objects.exists()
    assert not LedgerEntry.objects.exists()
    assert report.payments_repaired == 0
    assert report.is_clean, report.differences
    assert not [key for key in report.totals if key.startswith("charges")]
