"""Invoices of memberships: a paid one is a period's contribution, a failed one updates the membership.

The first invoice of a membership is the contribution checkout created; every later paid invoice
is a renewal contribution. Registered with payments as its invoice payment recorder, so a payment
reported by its intent, its invoice, reconciliation or import is recorded once, the same way.
Stripe is asked first; rows are written after, each service in its own short transaction.
"""

from __future__ import annotations

from membership import lifecycle, services
from membership.lifecycle import Cause
from membership.models import Membership
from payments import gateway, recording
from payments import services as payment_services
from payments.models import Contribution, Frequency


class UnresolvedPaymentError(Exception):
    """A paid invoice whose payment Stripe would not tell us: fail loudly (retried, then shown to staff)."""

    curable_by_time = True  # Stripe may list the invoice's payment a little later


class NotOurs:
    """The invoice of a subscription the platform did not create: nothing of it is recorded."""


NOT_OURS = NotOurs()


def _membership_for_invoice(
    invoice: gateway.Invoice, *, intent: gateway.PaymentIntent, trust_stripe: bool, cause: Cause
) -> Membership | NotOurs | None:
    if not invoice.subscription_id:
        return None
    membership = Membership.objects.filter(stripe_subscription_id=invoice.subscription_id).first()
    if membership is None:
        subscription = gateway.retrieve_subscription(invoice.subscription_id)
        if not services.is_platform_subscription(subscription):
            return NOT_OURS
        if invoice.billing_reason != "subscription_cycle":
            recording.check_grace(
                invoice.created, f"subscription {invoice.subscription_id}", trust_stripe=trust_stripe
            )
        membership = services.membership_from_stripe(
            subscription_id=invoice.subscription_id,
            amount_hint=invoice.amount_paid or intent.amount,
            cause=cause,
        )
    return membership


def _new_contribution(
    *, intent: gateway.PaymentIntent, invoice: gateway.Invoice, membership: Membership | None
) -> Contribution:
    if membership is None:
        contributor = recording.contributor_for_customer(
            customer_id=intent.customer_id, fallback_email=intent.receipt_email or invoice.customer_email
        )
        return recording.contribution_from_stripe(
            intent=intent, contributor=contributor, invoice_id=invoice.id
        )
    return recording.contribution_from_stripe(
        intent=intent,
        contributor=membership.contributor,
        frequency=Frequency(gateway.FREQUENCY_OF_INTERVAL[membership.interval]),
        attribution=membership.attribution(),
        membership_id=membership.pk,
        invoice_id=invoice.id,
    )


def invoice_record(
    *,
    invoice: gateway.Invoice,
    intent: gateway.PaymentIntent | None = None,
    trust_stripe: bool = False,
    cause: Cause | None = None,
) -> Contribution | None:
    """A paid invoice: checkout's first contribution, or a renewal contribution, and its one charge.

    A renewal is also a `renewed` event of the membership; a past-due membership's state is read
    fresh from Stripe (its subscription is active again once the invoice is paid). An invoice of a
    subscription the platform did not create records nothing.
    """
    cause = cause or Cause.stripe()
    intent_id = intent.id if intent else gateway.invoice_payment_intent_id(invoice)
    contribution = Contribution.objects.filter(stripe_invoice_id=invoice.id).first()
    if contribution is None and intent_id:
        contribution = Contribution.objects.filter(stripe_payment_intent_id=intent_id).first()
    if intent_id is None:
        if invoice.is_paid:
            raise UnresolvedPaymentError(f"paid invoice {invoice.id}: no intent on it or its payments")
        return contribution
    intent = intent or gateway.retrieve_payment_intent(intent_id)
    if contribution is None:
        if intent.status != "succeeded":
            return None
        found = _membership_for_invoice(invoice, intent=intent, trust_stripe=trust_stripe, cause=cause)
        if isinstance(found, NotOurs):
            return None
        membership = found
        first_of_membership = membership is not None and not membership.contributions.exists()
        if membership is None or (first_of_membership and invoice.billing_reason != "subscription_cycle"):
            recording.check_grace(invoice.created, f"invoice {invoice.id}", trust_stripe=trust_stripe)
        contribution = _new_contribution(intent=intent, invoice=invoice, membership=membership)
    else:
        _link_invoice(contribution, invoice)
    contribution, _became = payment_services.contribution_apply_payment_intent(
        payment_intent=intent, contribution=contribution
    )
    _membership_after_payment(contribution, invoice=invoice, cause=cause)
    return contribution


def _membership_after_payment(contribution: Contribution, *, invoice: gateway.Invoice, cause: Cause) -> None:
    if contribution.membership_id is None or contribution.status != Contribution.Status.SUCCEEDED:
        return
    membership = Membership.objects.get(pk=contribution.membership_id)
    if invoice.billing_reason == "subscription_cycle":
        lifecycle.renewal_record(
            membership=membership,
            invoice_id=invoice.id,
            occurred_at=gateway.datetime_from_stripe(invoice.paid_at or invoice.created)
            or membership.created_at,
            cause=cause,
        )
    if membership.state == Membership.State.PAST_DUE:
        services.membership_refresh_from_stripe(membership=membership, cause=cause)


def _link_invoice(contribution: Contribution, invoice: gateway.Invoice) -> None:
    """A contribution first seen through its intent learns its invoice and membership."""
    changed = []
    if contribution.stripe_invoice_id is None:
        contribution.stripe_invoice_id = invoice.id
        changed.append("stripe_invoice_id")
    if contribution.membership_id is None and invoice.subscription_id:
        membership = Membership.objects.filter(stripe_subscription_id=invoice.subscription_id).first()
        if membership is not None:
            contribution.membership = membership
            contribution.frequency = gateway.FREQUENCY_OF_INTERVAL[membership.interval]
            changed += ["membership", "frequency"]
    if changed:
        contribution.save(update_fields=[*changed, "updated_at"])
