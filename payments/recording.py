"""Record the payments Stripe took: match each to its contribution, creating what the site never saw.

A payment is recorded exactly once whatever reports it (payment_intent.succeeded, invoice.paid,
invoice.payment_succeeded, reconciliation, import): the ledger is unique on the charge id and a
contribution is unique on its intent and its invoice. The first invoice of a membership is the
contribution checkout created; every later paid invoice is a renewal contribution.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from membership.models import Membership
from membership.services import membership_apply_subscription
from payments import gateway, services
from payments.models import Attribution, Contribution, Contributor, Frequency

FREQUENCIES = {Membership.Interval.MONTH: Frequency.MONTHLY, Membership.Interval.YEAR: Frequency.ANNUAL}


class UnresolvedPayment(Exception):
    """A paid invoice whose payment Stripe would not tell us: fail loudly (retried, then shown to staff)."""


class NotYetKnown(Exception):
    """A fresh payment for an object we do not know: checkout may not have committed its row yet.

    Raised so the task retries later; after STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS the payment is
    recorded from Stripe's data instead.
    """


def _check_grace(created: int, what: str, *, trust_stripe: bool = False) -> None:
    if not trust_stripe and time.time() - created < settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS:
        raise NotYetKnown(f"{what} is not known yet; retrying before recording it from Stripe data")


def _attribution_from_metadata(metadata: dict) -> dict[str, str]:
    fields = {name: str(metadata.get(name) or "") for name in Attribution.ATTRIBUTION_FIELDS}
    limits = {f.name: f.max_length for f in Contribution._meta.get_fields() if f.name in fields}
    return {name: value[: limits[name]] for name, value in fields.items()}


def contributor_for_customer(*, customer_id: str | None, fallback_email: str | None) -> Contributor:
    """Our contributor for a Stripe customer, created from the customer's email when we have none."""
    if customer_id:
        known = Contributor.objects.filter(stripe_customer_id=customer_id).first()
        if known:
            return known
    name = ""
    email = fallback_email
    if customer_id:
        customer = gateway.retrieve_customer(customer_id)
        email, name = customer.email or fallback_email, customer.name or ""
    email = (email or f"{customer_id or 'guest'}@stripe.invalid").strip().lower()
    contributor, _created = Contributor.objects.get_or_create(
        email=email, defaults={"name": name, "stripe_customer_id": customer_id}
    )
    if customer_id and not contributor.stripe_customer_id:
        contributor.stripe_customer_id = customer_id
        contributor.save(update_fields=["stripe_customer_id"])
    return contributor


def membership_from_stripe(*, subscription_id: str) -> Membership:
    """A membership for a subscription created outside the site (or before it existed)."""
    subscription = gateway.retrieve_subscription(subscription_id)
    contributor = contributor_for_customer(customer_id=subscription.customer_id, fallback_email=None)
    membership, _created = Membership.objects.get_or_create(
        stripe_subscription_id=subscription.id,
        defaults={
            "contributor": contributor,
            "interval": Membership.Interval.YEAR
            if subscription.interval == "year"
            else Membership.Interval.MONTH,
            "amount_minor": subscription.amount or 1,
            "currency": subscription.currency,
            "stripe_plan_id": subscription.plan_id or "",
            **_attribution_from_metadata(subscription.metadata),
        },
    )
    return membership_apply_subscription(
        subscription=subscription, observed_at=timezone.now(), membership=membership
    )


def _new_contribution(
    *, intent: gateway.PaymentIntent, membership: Membership | None, invoice: gateway.Invoice | None
) -> Contribution:
    if membership is not None:
        contributor, attribution = membership.contributor, membership.attribution()
        frequency = FREQUENCIES.get(membership.interval, Frequency.MONTHLY)
    else:
        contributor = contributor_for_customer(
            customer_id=intent.customer_id,
            fallback_email=intent.receipt_email or (invoice.customer_email if invoice else None),
        )
        attribution, frequency = _attribution_from_metadata(intent.metadata), Frequency.ONE_OFF
    return Contribution.objects.create(
        contributor=contributor,
        membership=membership,
        user=contributor.user,
        frequency=frequency,
        amount_minor=intent.amount,
        currency=intent.currency,
        stripe_payment_intent_id=intent.id,
        stripe_invoice_id=invoice.id if invoice else None,
        **attribution,
    )


@transaction.atomic
def payment_intent_record(
    *, intent: gateway.PaymentIntent, trust_stripe: bool = False
) -> Contribution | None:
    """Apply an intent to its contribution; a succeeded intent we never saw becomes a contribution.

    `trust_stripe` (import) records an unknown payment at once instead of waiting for checkout.
    """
    contribution = Contribution.objects.filter(stripe_payment_intent_id=intent.id).first()
    if contribution is None and intent.invoice_id:
        invoice = gateway.retrieve_invoice(intent.invoice_id)
        return invoice_record(invoice=invoice, intent=intent, trust_stripe=trust_stripe)
    if contribution is None:
        if intent.status != "succeeded":
            return None
        _check_grace(intent.created, f"payment {intent.id}", trust_stripe=trust_stripe)
        contribution = _new_contribution(intent=intent, membership=None, invoice=None)
    contribution, _became = services.contribution_apply_payment_intent(
        payment_intent=intent, contribution=contribution
    )
    return contribution


def _membership_for_invoice(invoice: gateway.Invoice, *, trust_stripe: bool) -> Membership | None:
    if not invoice.subscription_id:
        return None
    membership = Membership.objects.filter(stripe_subscription_id=invoice.subscription_id).first()
    if membership is None:
        if invoice.billing_reason != "subscription_cycle":
            _check_grace(
                invoice.created, f"subscription {invoice.subscription_id}", trust_stripe=trust_stripe
            )
        membership = membership_from_stripe(subscription_id=invoice.subscription_id)
    return membership


@transaction.atomic
def invoice_record(
    *, invoice: gateway.Invoice, intent: gateway.PaymentIntent | None = None, trust_stripe: bool = False
) -> Contribution | None:
    """A paid invoice: checkout's first contribution, or a renewal contribution, and its one charge."""
    intent_id = intent.id if intent else gateway.invoice_payment_intent_id(invoice)
    contribution = Contribution.objects.filter(stripe_invoice_id=invoice.id).first()
    if contribution is None and intent_id:
        contribution = Contribution.objects.filter(stripe_payment_intent_id=intent_id).first()
    if intent_id is None:
        if invoice.is_paid:
            raise UnresolvedPayment(f"paid invoice {invoice.id}: no intent on it or its payments")
        return contribution
    intent = intent or gateway.retrieve_payment_intent(intent_id)
    if contribution is None:
        if intent.status != "succeeded":
            return None
        membership = _membership_for_invoice(invoice, trust_stripe=trust_stripe)
        first_of_membership = membership is not None and not membership.contributions.exists()
        if membership is None or (first_of_membership and invoice.billing_reason != "subscription_cycle"):
            _check_grace(invoice.created, f"invoice {invoice.id}", trust_stripe=trust_stripe)
        contribution = _new_contribution(intent=intent, membership=membership, invoice=invoice)
    else:
        _link_invoice(contribution, invoice)
    contribution, _became = services.contribution_apply_payment_intent(
        payment_intent=intent, contribution=contribution
    )
    return contribution


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
            contribution.frequency = FREQUENCIES.get(membership.interval, Frequency.MONTHLY)
            changed += ["membership", "frequency"]
    if changed:
        contribution.save(update_fields=[*changed, "updated_at"])
