"""One small handler per Stripe event type; each is idempotent and safe in any order.

A handler returns a short note for the processing history, or raises EventIgnored when the event
concerns nothing of ours. Handlers never trust arrival order: they fetch the current object from
Stripe, or compare Stripe timestamps with what is stored, or derive state from the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from membership.models import Membership
from membership.services import membership_apply_subscription
from payments import gateway, payouts, recording, reversals
from payments.models import Contributor
from payments.webhooks.processing import EventIgnored

Handler = Callable[[gateway.Event], str]


def _observed_at(event: gateway.Event) -> datetime:
    return datetime.fromtimestamp(event.created, tz=UTC)


def _contribution_note(contribution) -> str:
    if contribution is None:
        raise EventIgnored("no contribution and no money to record")
    return f"contribution {contribution.pk} is {contribution.status}"


def payment_intent_changed(event: gateway.Event) -> str:
    """Fetch the intent (with its charge and balance transaction): the ledger gets settlement data."""
    intent = gateway.retrieve_payment_intent(event.object_id)
    return _contribution_note(recording.payment_intent_record(intent=intent))


def charge_succeeded(event: gateway.Event) -> str:
    charge = gateway.parse_charge(event.data_object)
    if not charge.payment_intent_id:
        raise EventIgnored(f"charge {charge.id} has no payment intent")
    intent = gateway.retrieve_payment_intent(charge.payment_intent_id)
    return _contribution_note(recording.payment_intent_record(intent=intent))


def invoice_paid(event: gateway.Event) -> str:
    """invoice.paid and invoice.payment_succeeded: one payment, one entry (unique on the charge)."""
    invoice = gateway.parse_invoice(event.data_object)
    return _contribution_note(recording.invoice_record(invoice=invoice))


def invoice_payment_failed(event: gateway.Event) -> str:
    """The first invoice's contribution fails; a membership's state is read fresh from Stripe."""
    invoice = gateway.parse_invoice(event.data_object)
    notes = []
    intent_id = gateway.invoice_payment_intent_id(invoice)
    if intent_id:
        contribution = recording.payment_intent_record(intent=gateway.retrieve_payment_intent(intent_id))
        if contribution is not None:
            notes.append(f"contribution {contribution.pk} is {contribution.status}")
    if (
        invoice.subscription_id
        and Membership.objects.filter(stripe_subscription_id=invoice.subscription_id).exists()
    ):
        subscription = gateway.retrieve_subscription(invoice.subscription_id)
        membership = membership_apply_subscription(subscription=subscription, observed_at=timezone.now())
        notes.append(f"membership {membership.pk} is {membership.status}")
    if not notes:
        raise EventIgnored(f"invoice {invoice.id} concerns nothing of ours")
    return "; ".join(notes)


def charge_refunded(event: gateway.Event) -> str:
    count = reversals.charge_refunds_record(charge_id=event.object_id)
    return f"{count} refund(s) of {event.object_id} recorded"


def refund_changed(event: gateway.Event) -> str:
    refund = gateway.retrieve_refund(event.object_id)
    entry = reversals.refund_record(refund=refund)
    return f"refund {refund.id} is {refund.status}" + (f", ledger entry {entry.pk}" if entry else "")


def dispute_changed(event: gateway.Event) -> str:
    """Opened: funds withdrawn; closed as won: reinstated. The ledger decides the state, not the order."""
    dispute = gateway.parse_dispute(event.data_object)
    contribution = reversals.dispute_record(dispute=dispute, observed_at=_observed_at(event))
    return f"dispute {dispute.id} is {dispute.status}" + (
        f", contribution {contribution.pk} is {contribution.status}" if contribution else ""
    )


def subscription_changed(event: gateway.Event) -> str:
    """Apply the snapshot as of the event's time: an older snapshot never overrides a newer one."""
    subscription = gateway.parse_subscription(event.data_object)
    membership = membership_apply_subscription(subscription=subscription, observed_at=_observed_at(event))
    if membership is None:
        raise EventIgnored(f"no membership for {subscription.id}")
    return f"membership {membership.pk} is {membership.status}"


def customer_updated(event: gateway.Event) -> str:
    """Name and email as Stripe has them now (fetched, so a late event never restores an old email)."""
    contributor = Contributor.objects.filter(stripe_customer_id=event.object_id).first()
    if contributor is None:
        raise EventIgnored(f"no contributor for {event.object_id}")
    customer = gateway.retrieve_customer(event.object_id)
    contributor.name = (customer.name or contributor.name)[:200]
    email = (customer.email or "").strip().lower()
    if email and email != contributor.email and not Contributor.objects.filter(email=email).exists():
        contributor.email = email
    try:
        with transaction.atomic():
            contributor.save(update_fields=["name", "email"])
    except IntegrityError:  # another contributor took the email meanwhile: keep ours
        contributor.refresh_from_db()
    return f"contributor {contributor.pk} is {contributor.email}"


def payment_method_attached(event: gateway.Event) -> str:
    """Nothing to store (cards are read from charges); the history notes it for staff."""
    customer_id = gateway.object_id(event.data_object.get("customer"))
    contributor = Contributor.objects.filter(stripe_customer_id=customer_id).first() if customer_id else None
    if contributor is None:
        raise EventIgnored("payment method of a customer we do not know")
    card = gateway.parse_card(event.data_object)
    return f"{card.brand} ending {card.last4} attached for contributor {contributor.pk}"


def payout_paid(event: gateway.Event) -> str:
    payout, lines = payouts.payout_record(payout=gateway.parse_payout(event.data_object))
    return f"payout {payout.stripe_payout_id} settled {lines} balance transaction(s)"


HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": payment_intent_changed,
    "payment_intent.payment_failed": payment_intent_changed,
    "charge.succeeded": charge_succeeded,
    "charge.refunded": charge_refunded,
    "charge.refund.updated": refund_changed,
    "refund.created": refund_changed,
    "refund.updated": refund_changed,
    "charge.dispute.created": dispute_changed,
    "charge.dispute.closed": dispute_changed,
    "charge.dispute.funds_withdrawn": dispute_changed,
    "charge.dispute.funds_reinstated": dispute_changed,
    "invoice.paid": invoice_paid,
    "invoice.payment_succeeded": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
    "customer.updated": customer_updated,
    "payment_method.attached": payment_method_attached,
    "payout.paid": payout_paid,
}


def dispatch(event: gateway.Event) -> str:
    """Run the handler for the event's type; other modes and unknown types are ignored, never applied."""
    if event.livemode != settings.STRIPE_LIVEMODE:
        raise EventIgnored("event from the other Stripe mode (livemode mismatch)")
    handler = HANDLERS.get(event.type)
    if handler is None:
        raise EventIgnored(f"no handler for {event.type}")
    return handler(event)
