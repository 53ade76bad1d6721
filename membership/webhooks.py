"""Membership's Stripe event handlers: subscriptions and the invoices that pay (or fail to pay) them.

Registered with payments' dispatcher in `MembershipConfig.ready()`; each is idempotent and safe in
any order (a snapshot older than the newest applied is ignored; payments are unique on their charge).
"""

from __future__ import annotations

from django.utils import timezone

from membership import invoices, services, tasks
from membership.lifecycle import Cause
from membership.models import Membership
from payments import gateway, recording, registry
from payments.registry import EventIgnoredError
from payments.webhooks.handlers import contribution_note


def invoice_paid(event: gateway.Event) -> str:
    """invoice.paid and invoice.payment_succeeded: one payment, one entry (unique on the charge)."""
    invoice = gateway.parse_invoice(event.data_object)
    contribution = invoices.invoice_record(invoice=invoice, cause=Cause.stripe(event.id))
    if contribution is None and invoice.subscription_id and not _ours(invoice.subscription_id):
        raise EventIgnoredError(f"invoice {invoice.id} is of a subscription the platform did not create")
    return contribution_note(contribution)


def _ours(subscription_id: str) -> bool:
    return Membership.objects.filter(stripe_subscription_id=subscription_id).exists()


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
        membership = services.membership_apply_subscription(
            subscription=subscription,
            observed_at=timezone.now(),
            occurred_at=gateway.event_time(event),
            cause=Cause.stripe(event.id),
        )
        if membership is not None:
            notes.append(f"membership {membership.pk} is {membership.status}")
            if membership.state == Membership.State.PAST_DUE:
                tasks.queue_payment_failed_notice(membership_id=membership.pk, invoice_id=invoice.id)
    if not notes:
        raise EventIgnoredError(f"invoice {invoice.id} concerns nothing of ours")
    return "; ".join(notes)


def subscription_changed(event: gateway.Event) -> str:
    """Apply the snapshot as of the event's time: an older snapshot never overrides a newer one."""
    subscription = gateway.subscription_from_payload(event.data_object)
    membership = services.membership_apply_subscription(
        subscription=subscription, observed_at=gateway.event_time(event), cause=Cause.stripe(event.id)
    )
    if membership is None:
        raise EventIgnoredError(f"no membership for {subscription.id}")
    return f"membership {membership.pk} is {membership.status}"


def register() -> None:
    registry.register_event_handler(invoice_paid, "invoice.paid", "invoice.payment_succeeded")
    registry.register_event_handler(invoice_payment_failed, "invoice.payment_failed")
    registry.register_event_handler(
        subscription_changed,
        "customer.subscription.created",
        "customer.subscription.updated",
        "customer.subscription.deleted",
    )
    registry.register_invoice_payment_recorder(invoices.invoice_record)
    registry.register_reconcile_step(services.memberships_reconcile)
    registry.register_import_resource(
        registry.ImportResource(name="subscriptions", position=20, import_one=services.subscription_import)
    )
