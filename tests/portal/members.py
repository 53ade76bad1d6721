"""A member on localstripe for the portal tests: a customer with a card, a platform subscription, its row."""

from __future__ import annotations

import time

import time_machine

from membership.invoices import invoice_record
from membership.lifecycle import Cause
from membership.models import Membership
from membership.services import membership_from_stripe, membership_plan
from payments import gateway
from payments.models import Contributor
from tests.payments import stripe_flows as flows


def live_member(
    *,
    amount: int = 1000,
    currency: str = "usd",
    interval: str = "month",
    email: str = "member@example.org",
    user=None,
) -> Membership:
    """An active membership whose subscription, invoice and payment are real localstripe objects."""
    customer = flows.customer_with_card(email=email)
    plan = membership_plan(amount_minor=amount, currency=currency.upper(), interval=interval)
    subscription_id = flows.subscription(customer=customer, plan_id=plan.id)
    with time_machine.travel(time.time() - 3600, tick=True):  # joined an hour before the change
        membership = membership_from_stripe(subscription_id=subscription_id, cause=Cause.reader())
        first_invoice = gateway.retrieve_subscription(subscription_id).latest_invoice_id
        invoice_record(invoice=gateway.retrieve_invoice(first_invoice or ""), trust_stripe=True)
    assert membership is not None
    if user is not None:
        Contributor.objects.filter(pk=membership.contributor_id).update(user=user)
    membership.refresh_from_db()
    return membership


def stripe_subscription(subscription_id: str) -> dict:
    return gateway.to_dict(gateway.client().v1.subscriptions.retrieve(subscription_id))


def pending_invoice_items(customer_id: str) -> list[dict]:
    listed = gateway.client().v1.invoice_items.list({"customer": customer_id, "limit": 100})
    return [item for item in map(gateway.to_dict, listed.data) if not item.get("invoice")]


def invoices_of(customer_id: str) -> list[dict]:
    return [
        gateway.to_dict(i)
        for i in gateway.client().v1.invoices.list({"customer": customer_id, "limit": 100}).data
    ]
