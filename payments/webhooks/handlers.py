"""Payments' handlers: payments, refunds, disputes, customers and payouts, one small function each.

Each is idempotent and safe in any order. A handler returns a short note for the processing
history, or raises EventIgnoredError when the event concerns nothing of ours. Handlers never trust
arrival order: they fetch the current object from Stripe, or compare Stripe timestamps with what
is stored, or derive state from the ledger. Subscription and invoice events are the membership
app's (`membership/webhooks.py`); `register()` runs in `PaymentsConfig.ready()`.
"""

from __future__ import annotations

from payments import gateway, recording, registry, services
from payments.ledger import payouts, refunds
from payments.models import Contribution, Contributor
from payments.registry import EventIgnoredError


def contribution_note(contribution: Contribution | None) -> str:
    """The history's note for a recorded payment; nothing recorded means nothing of ours."""
    if contribution is None:
        raise EventIgnoredError("no contribution and no money to record")
    return f"contribution {contribution.pk} is {contribution.status}"


def payment_intent_changed(event: gateway.Event) -> str:
    """Fetch the intent (with its charge and balance transaction): the ledger gets settlement data."""
    intent = gateway.retrieve_payment_intent(event.object_id)
    return contribution_note(recording.payment_intent_record(intent=intent))


def charge_succeeded(event: gateway.Event) -> str:
    charge = gateway.parse_charge(event.data_object)
    if not charge.payment_intent_id:
        raise EventIgnoredError(f"charge {charge.id} has no payment intent")
    intent = gateway.retrieve_payment_intent(charge.payment_intent_id)
    return contribution_note(recording.payment_intent_record(intent=intent))


def charge_refunded(event: gateway.Event) -> str:
    count = refunds.charge_refunds_record(charge_id=event.object_id)
    return f"{count} refund(s) of {event.object_id} recorded"


def refund_changed(event: gateway.Event) -> str:
    refund = gateway.retrieve_refund(event.object_id)
    entry = refunds.refund_record(refund=refund)
    return f"refund {refund.id} is {refund.status}" + (f", ledger entry {entry.pk}" if entry else "")


def dispute_changed(event: gateway.Event) -> str:
    """Opened: funds withdrawn; closed as won: reinstated. The ledger decides the state, not the order."""
    dispute = gateway.parse_dispute(event.data_object)
    contribution = refunds.dispute_record(dispute=dispute, observed_at=gateway.event_time(event))
    return f"dispute {dispute.id} is {dispute.status}" + (
        f", contribution {contribution.pk} is {contribution.status}" if contribution else ""
    )


def customer_updated(event: gateway.Event) -> str:
    """Name and email as Stripe has them now (fetched, so a late event never restores an old email)."""
    contributor = Contributor.objects.filter(stripe_customer_id=event.object_id).first()
    if contributor is None:
        raise EventIgnoredError(f"no contributor for {event.object_id}")
    customer = gateway.retrieve_customer(event.object_id)
    contributor = services.contributor_apply_customer(contributor=contributor, customer=customer)
    return f"contributor {contributor.pk} is {contributor.email}"


def payment_method_attached(event: gateway.Event) -> str:
    """Nothing to store (cards are read from charges); the history notes it for staff."""
    customer_id = gateway.object_id(event.data_object.get("customer"))
    contributor = Contributor.objects.filter(stripe_customer_id=customer_id).first() if customer_id else None
    if contributor is None:
        raise EventIgnoredError("payment method of a customer we do not know")
    card = gateway.parse_card(event.data_object)
    return f"{card.brand} ending {card.last4} attached for contributor {contributor.pk}"


def payout_paid(event: gateway.Event) -> str:
    payout, lines = payouts.payout_record(payout=gateway.parse_payout(event.data_object))
    return f"payout {payout.stripe_payout_id} settled {lines} balance transaction(s)"


def register() -> None:
    registry.register_event_handler(
        payment_intent_changed, "payment_intent.succeeded", "payment_intent.payment_failed"
    )
    registry.register_event_handler(charge_succeeded, "charge.succeeded")
    registry.register_event_handler(charge_refunded, "charge.refunded")
    registry.register_event_handler(
        refund_changed, "charge.refund.updated", "refund.created", "refund.updated"
    )
    registry.register_event_handler(
        dispute_changed,
        "charge.dispute.created",
        "charge.dispute.closed",
        "charge.dispute.funds_withdrawn",
        "charge.dispute.funds_reinstated",
    )
    registry.register_event_handler(customer_updated, "customer.updated")
    registry.register_event_handler(payment_method_attached, "payment_method.attached")
    registry.register_event_handler(payout_paid, "payout.paid")
