"""What each event does: payments, renewals, unknown payments, refunds, disputes, customers, payouts."""

import time

import pytest

from membership.invoices import UnresolvedPaymentError
from membership.models import Membership
from payments import gateway
from payments.models import Contribution, Contributor, LedgerEntry, Payout, WebhookEvent
from payments.recording import NotYetKnownError
from payments.webhooks import processing
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event
from tests.stripe_fixtures import stripe_object

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _deliver_all(deliver_processed, event_type=None):
    for event in flows.events(event_type):
        assert deliver_processed(event).status_code == 200


def _membership_with_first_invoice(*, amount=1000, campaign="spring-appeal"):
    customer = flows.customer_with_card()
    subscription_id = flows.subscription(customer=customer, plan_id=flows.plan(amount=amount))
    contributor = ContributorFactory(stripe_customer_id=customer)
    membership = MembershipFactory(
        contributor=contributor,
        stripe_subscription_id=subscription_id,
        amount_minor=amount,
        campaign=campaign,
    )
    first_invoice = flows.events("invoice.payment_succeeded")[0]["data"]["object"]["id"]
    first = ContributionFactory(
        contributor=contributor,
        membership=membership,
        frequency="monthly",
        amount_minor=amount,
        stripe_invoice_id=first_invoice,
        campaign=campaign,
    )
    return customer, subscription_id, membership, first


def test_renewal_invoice_creates_a_new_contribution_with_the_membership_attribution(
    localstripe, deliver_processed
):
    customer, subscription_id, membership, first = _membership_with_first_invoice()
    renewal_invoice = flows.renewal_invoice(customer=customer, subscription_id=subscription_id)

    _deliver_all(deliver_processed)

    assert Contribution.objects.count() == 2
    renewal = Contribution.objects.get(stripe_invoice_id=renewal_invoice)
    assert (renewal.membership, renewal.frequency, renewal.campaign) == (
        membership,
        "monthly",
        "spring-appeal",
    )
    assert renewal.status == Contribution.Status.SUCCEEDED
    first.refresh_from_db()
    assert first.status == Contribution.Status.SUCCEEDED
    assert sorted(LedgerEntry.objects.values_list("contribution_id", flat=True)) == sorted(
        [first.pk, renewal.pk]
    )


def test_payment_we_never_saw_creates_its_contributor_and_contribution(
    localstripe, deliver_processed, settings
):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    customer = flows.customer_with_card(email="outside@example.org", name="Outside Giver")
    flows.paid_intent(amount=5000, currency="eur", customer=customer, metadata={"campaign": "phone-appeal"})

    _deliver_all(deliver_processed, "payment_intent.succeeded")

    contribution = Contribution.objects.get()
    assert contribution.contributor.email == "outside@example.org"
    assert contribution.contributor.stripe_customer_id == customer
    assert (contribution.amount_minor, contribution.currency, contribution.frequency) == (
        5000,
        "EUR",
        "one_off",
    )
    assert (contribution.status, contribution.campaign) == ("succeeded", "phone-appeal")
    assert LedgerEntry.objects.get().contribution == contribution


def test_fresh_payment_we_never_saw_waits_for_checkout_before_being_recorded(localstripe, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 600
    flows.paid_intent(amount=700)
    event = flows.events("payment_intent.succeeded")[0]
    processing.webhook_event_store(event=gateway.parse_event(event))

    with pytest.raises(NotYetKnownError, match="not known yet"):
        processing.webhook_event_process(stripe_event_id=event["id"], final_attempt=False)

    assert WebhookEvent.objects.get().status == WebhookEvent.Status.RECEIVED
    assert not Contribution.objects.exists()


def test_subscription_paid_outside_the_site_becomes_a_membership(localstripe, deliver_processed, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    customer = flows.customer_with_card(email="phone@example.org")
    subscription_id = flows.subscription(customer=customer, plan_id=flows.plan(amount=1200, interval="year"))

    _deliver_all(deliver_processed)

    membership = Membership.objects.get(stripe_subscription_id=subscription_id)
    assert (membership.status, membership.interval, membership.amount_minor) == ("active", "year", 1200)
    contribution = Contribution.objects.get()
    assert (contribution.membership, contribution.frequency) == (membership, "annual")
    assert LedgerEntry.objects.filter(kind="charge").count() == 1


def test_failed_first_invoice_fails_the_contribution_and_updates_the_membership(
    localstripe, deliver_processed
):
    customer = flows.customer_with_card(number=flows.DECLINED)
    subscription_id = flows.subscription(customer=customer, plan_id=flows.plan())
    membership = MembershipFactory(stripe_subscription_id=subscription_id, status="active")
    invoice = gateway.to_dict(gateway.client().v1.invoices.list({"subscription": subscription_id}).data[0])
    contribution = ContributionFactory(
        membership=membership, stripe_invoice_id=invoice["id"], frequency="monthly"
    )

    # localstripe does not send invoice.payment_failed for a card declined at once: Stripe would.
    deliver_processed(make_event("invoice.payment_failed", invoice, api_version="2017-08-15"))

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.FAILED
    assert contribution.failure_code == "card_declined"
    membership.refresh_from_db()
    assert membership.status == "incomplete"
    assert not LedgerEntry.objects.exists()


def test_todays_charge_succeeded_records_the_payment_once(localstripe, deliver_processed):
    intent_id = flows.paid_intent(amount=1800)
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=1800)
    charge = stripe_object(
        "charge", **{k: v for k, v in flows.charge_of(intent_id).items() if k in {"id", "amount"}}
    )
    charge["payment_intent"] = intent_id

    deliver_processed(make_event("charge.succeeded", charge))
    _deliver_all(deliver_processed, "payment_intent.succeeded")

    assert LedgerEntry.objects.get().contribution == contribution


def _refund_event(refund_id: str) -> dict:
    return make_event("refund.created", stripe_object("refund", id=refund_id))


def test_partial_then_full_refund_updates_the_contribution_and_the_ledger(localstripe, deliver_processed):
    intent_id = flows.paid_intent(amount=3000)
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=3000)
    _deliver_all(deliver_processed, "payment_intent.succeeded")
    first = flows.refund(payment_intent=intent_id, amount=1000)

    deliver_processed(make_event("charge.refunded", flows.charge_of(intent_id)))

    contribution.refresh_from_db()
    assert (contribution.status, contribution.amount_refunded_minor) == ("partially_refunded", 1000)
    second = flows.refund(payment_intent=intent_id, amount=2000)
    deliver_processed(_refund_event(second))
    deliver_processed(_refund_event(first))  # a late event for the first refund adds nothing
    deliver_processed(make_event("charge.refunded", flows.charge_of(intent_id)))

    contribution.refresh_from_db()
    assert (contribution.status, contribution.amount_refunded_minor) == ("refunded", 3000)
    refunds = LedgerEntry.objects.filter(kind="refund").order_by("amount_minor")
    assert [(r.stripe_object_id, r.amount_minor) for r in refunds] == [(second, -2000), (first, -1000)]
    assert all(r.contribution == contribution and r.settlement_currency == "USD" for r in refunds)


def _dispute_event(event_type: str, charge_id: str, *, status: str, created: int, won: bool = False) -> dict:
    withdrawal = stripe_object("balance_transaction", id="txn_dispute_out", amount=-2000, fee=1500, net=-3500)
    withdrawal.update(source="dp_test", type="adjustment", currency="usd")
    balances = [withdrawal]
    if won:
        reinstated = stripe_object("balance_transaction", id="txn_dispute_back", amount=2000, fee=0, net=2000)
        reinstated.update(source="dp_test", type="adjustment", currency="usd")
        balances.append(reinstated)
    dispute = stripe_object(
        "dispute", id="dp_test", charge=charge_id, amount=2000, status=status, balance_transactions=balances
    )
    return make_event(event_type, dispute, created=created)


@pytest.fixture
def disputed_payment(localstripe, deliver_processed):
    intent_id = flows.paid_intent(amount=2000)
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=2000)
    _deliver_all(deliver_processed, "payment_intent.succeeded")
    return contribution, flows.charge_of(intent_id)["id"]


def test_dispute_withdraws_the_funds_and_its_fee(disputed_payment, deliver_processed):
    contribution, charge_id = disputed_payment
    now = int(time.time())

    deliver_processed(
        _dispute_event("charge.dispute.created", charge_id, status="needs_response", created=now)
    )

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.DISPUTED
    dispute = LedgerEntry.objects.get(kind="dispute")
    assert (dispute.amount_minor, dispute.stripe_object_id, dispute.contribution) == (
        -2000,
        "dp_test",
        contribution,
    )
    assert LedgerEntry.objects.get(kind="fee").amount_minor == -1500


def test_won_dispute_reinstates_the_funds(disputed_payment, deliver_processed):
    contribution, charge_id = disputed_payment
    now = int(time.time())

    deliver_processed(
        _dispute_event("charge.dispute.created", charge_id, status="needs_response", created=now)
    )
    deliver_processed(
        _dispute_event("charge.dispute.closed", charge_id, status="won", created=now + 5, won=True)
    )

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.SUCCEEDED
    assert LedgerEntry.objects.get(kind="dispute_reversal").amount_minor == 2000


def test_lost_dispute_adds_nothing_more(disputed_payment, deliver_processed):
    contribution, charge_id = disputed_payment
    now = int(time.time())

    deliver_processed(
        _dispute_event("charge.dispute.created", charge_id, status="needs_response", created=now)
    )
    deliver_processed(_dispute_event("charge.dispute.closed", charge_id, status="lost", created=now + 5))

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.DISPUTED
    assert not LedgerEntry.objects.filter(kind="dispute_reversal").exists()
    assert LedgerEntry.objects.filter(kind="dispute").count() == 1


def test_dispute_closed_before_created_arrives_ends_the_same(disputed_payment, deliver_processed):
    contribution, charge_id = disputed_payment
    now = int(time.time())

    deliver_processed(
        _dispute_event("charge.dispute.closed", charge_id, status="won", created=now + 5, won=True)
    )
    deliver_processed(
        _dispute_event("charge.dispute.created", charge_id, status="needs_response", created=now)
    )

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.SUCCEEDED
    kinds = sorted(LedgerEntry.objects.filter(contribution=contribution).values_list("kind", flat=True))
    assert kinds == ["charge", "dispute", "dispute_reversal", "fee"]


def test_customer_updated_takes_the_current_name_and_email_from_stripe(localstripe, deliver_processed):
    customer = flows.customer_with_card(email="old@example.org", name="Old Name")
    contributor = ContributorFactory(email="old@example.org", stripe_customer_id=customer)
    stale = make_event("customer.updated", stripe_object("customer", id=customer, email="stale@example.org"))
    gateway.client().v1.customers.update(customer, {"email": "new@example.org", "name": "New Name"})

    deliver_processed(stale)

    contributor.refresh_from_db()
    assert (contributor.email, contributor.name) == ("new@example.org", "New Name")


def test_payment_method_attached_is_noted_for_a_known_customer(deliver_processed):
    ContributorFactory(stripe_customer_id="cus_known")

    deliver_processed(
        make_event("payment_method.attached", stripe_object("payment_method", customer="cus_known"))
    )
    deliver_processed(
        make_event("payment_method.attached", stripe_object("payment_method", customer="cus_else"))
    )

    statuses = {
        event.payload_data["data"]["object"]["customer"]: event.status for event in WebhookEvent.objects.all()
    }
    assert statuses == {"cus_known": "processed", "cus_else": "ignored"}


def test_payout_paid_is_stored_even_where_stripe_cannot_list_its_transactions(localstripe, deliver_processed):
    gateway.client().v1.payouts.create({"amount": 5000, "currency": "eur", "status": "paid"})

    _deliver_all(deliver_processed, "payout.paid")

    payout = Payout.objects.get()
    assert (payout.amount_minor, payout.currency, payout.status) == (5000, "EUR", "paid")
    assert not payout.lines.exists()


def test_payout_paid_links_the_ledger_entries_it_settled(localstripe, deliver_processed, monkeypatch):
    intent_id = flows.paid_intent(amount=2200)
    ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=2200)
    _deliver_all(deliver_processed, "payment_intent.succeeded")
    charge_entry = LedgerEntry.objects.get(kind="charge")
    settled = [
        gateway.BalanceTransaction(
            id=charge_entry.stripe_balance_transaction_id,
            amount=2200,
            currency="USD",
            fee=0,
            net=2200,
            exchange_rate=None,
            source_id=charge_entry.stripe_object_id,
            type="charge",
        ),
        gateway.BalanceTransaction(
            id="txn_payout",
            amount=-2200,
            currency="USD",
            fee=0,
            net=-2200,
            exchange_rate=None,
            source_id="po_1",
            type="payout",
        ),
    ]
    # localstripe cannot list a payout's balance transactions: the only fake in these tests.
    monkeypatch.setattr(gateway, "list_payout_balance_transactions", lambda payout_id: settled)
    payout = stripe_object("payout", id="po_1", amount=2200, status="paid")

    deliver_processed(make_event("payout.paid", payout))
    deliver_processed(make_event("payout.paid", payout))

    line = Payout.objects.get().lines.get()
    assert line.ledger_entry == charge_entry
    charge_entry.refresh_from_db()
    assert charge_entry.amount_minor == 2200


def test_todays_invoice_without_its_payment_is_not_silently_dropped(localstripe, settings):
    invoice = stripe_object("invoice", id="in_today", status="paid", amount_paid=1000)
    event = make_event("invoice.paid", invoice)
    processing.webhook_event_store(event=gateway.parse_event(event))

    with pytest.raises(UnresolvedPaymentError, match="no intent"):
        processing.webhook_event_process(stripe_event_id=event["id"], final_attempt=True)

    assert WebhookEvent.objects.get().status == WebhookEvent.Status.FAILED


def test_todays_invoice_payments_name_the_paying_intent():
    payments = [
        stripe_object(
            "invoice_payment", status="paid", payment={"type": "payment_intent", "payment_intent": "pi_1"}
        ),
        stripe_object(
            "invoice_payment", status="canceled", payment={"type": "payment_intent", "payment_intent": "pi_0"}
        ),
    ]

    assert gateway.parse_invoice_payment_intent_ids(payments) == ["pi_1"]


def test_todays_invoice_reads_its_subscription_from_parent():
    invoice = gateway.parse_invoice(
        stripe_object(
            "invoice",
            subscription=None,
            parent={"type": "subscription_details", "subscription_details": {"subscription": "sub_9"}},
        )
    )

    assert invoice.subscription_id == "sub_9"
    assert invoice.payment_intent_id is None


def test_contributor_is_not_duplicated_for_a_known_email(localstripe, deliver_processed, settings):
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    ContributorFactory(email="known@example.org")
    customer = flows.customer_with_card(email="known@example.org")
    flows.paid_intent(amount=100, customer=customer)

    _deliver_all(deliver_processed, "payment_intent.succeeded")

    assert Contributor.objects.count() == 1
    assert Contributor.objects.get().stripe_customer_id == customer
