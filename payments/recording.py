"""Record the payments Stripe took: match each to its contribution, creating what the site never saw.

A payment is recorded exactly once whatever reports it (payment_intent.succeeded, invoice.paid,
invoice.payment_succeeded, reconciliation, import): the ledger is unique on the charge id and a
contribution is unique on its intent and its invoice. A payment that belongs to an invoice (a
membership's period) is handed to the invoice recorder the membership app registers.

Stripe is asked first and the rows are written after, each in its own short transaction: no
row lock is held across a network call. Every step is idempotent, so a retry completes a run
that stopped half-way.
"""

from __future__ import annotations

import time

from django.conf import settings

from payments import gateway, registry, services
from payments.models import Attribution, Contribution, Contributor, Frequency


class NotYetKnownError(Exception):
    """A fresh payment for an object we do not know: checkout may not have committed its row yet.

    Raised so the event is tried again once the grace period is over (`retry_after` seconds from now);
    after STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS the payment is recorded from Stripe's data instead.
    """

    curable_by_time = True

    def __init__(self, message: str, *, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def check_grace(created: int, what: str, *, trust_stripe: bool = False) -> None:
    """Raise NotYetKnownError while an unknown object is younger than the grace period."""
    remaining = settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS - (time.time() - created)
    if not trust_stripe and remaining > 0:
        raise NotYetKnownError(
            f"{what} is not known yet; retrying before recording it from Stripe data", retry_after=remaining
        )


def attribution_from_metadata(metadata: dict) -> dict[str, str]:
    """The attribution checkout wrote into Stripe's metadata, cut to our field lengths."""
    fields = {name: str(metadata.get(name) or "") for name in Attribution.ATTRIBUTION_FIELDS}
    limits = {f.name: f.max_length for f in Contribution._meta.concrete_fields if f.name in fields}
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
        services.contributor_set_stripe_customer(contributor=contributor, customer_id=customer_id)
    return contributor


def contribution_from_stripe(
    *,
    intent: gateway.PaymentIntent,
    contributor: Contributor,
    frequency: str = Frequency.ONE_OFF,
    attribution: dict[str, str] | None = None,
    membership_id: int | None = None,
    invoice_id: str | None = None,
) -> Contribution:
    """The contribution for a payment the site never saw; a concurrent writer's row is reused."""
    contribution, _created = Contribution.objects.get_or_create(
        stripe_payment_intent_id=intent.id,
        defaults={
            "contributor": contributor,
            "membership_id": membership_id,
            "user": contributor.user,
            "frequency": frequency,
            "amount_minor": intent.amount,
            "currency": intent.currency,
            "stripe_invoice_id": invoice_id,
            **(attribution if attribution is not None else attribution_from_metadata(intent.metadata)),
        },
    )
    return contribution


def payment_intent_record(
    *, intent: gateway.PaymentIntent, trust_stripe: bool = False
) -> Contribution | None:
    """Apply an intent to its contribution; a succeeded intent we never saw becomes a contribution.

    `trust_stripe` (import) records an unknown payment at once instead of waiting for checkout.
    """
    contribution = Contribution.objects.filter(stripe_payment_intent_id=intent.id).first()
    if contribution is None and intent.invoice_id:
        recorder = registry.invoice_payment_recorder()
        if recorder is None:
            return None
        invoice = gateway.retrieve_invoice(intent.invoice_id)
        return recorder(invoice=invoice, intent=intent, trust_stripe=trust_stripe)
    if contribution is None:
        if intent.status != "succeeded":
            return None
        check_grace(intent.created, f"payment {intent.id}", trust_stripe=trust_stripe)
        contributor = contributor_for_customer(
            customer_id=intent.customer_id, fallback_email=intent.receipt_email
        )
        contribution = contribution_from_stripe(intent=intent, contributor=contributor)
    contribution, _became = services.contribution_apply_payment_intent(
        payment_intent=intent, contribution=contribution
    )
    return contribution
