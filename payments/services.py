"""State changes of contributors and contributions; the only place a contribution's status moves."""

from typing import overload

from django.db import IntegrityError, transaction

from accounts.selectors import verified_email_owner_id
from payments import gateway, registry
from payments.ledger import entries
from payments.models import Contribution, Contributor, LedgerEntry

Status = Contribution.Status

# A contribution only moves forward: a late "requires_action" never undoes a success.
SETTLED_STATUSES = {Status.SUCCEEDED, Status.REFUNDED, Status.PARTIALLY_REFUNDED, Status.DISPUTED}


@overload
def contribution_apply_payment_intent(
    *,
    payment_intent: gateway.PaymentIntent,
    card: gateway.CardDetails | None = ...,
    contribution: Contribution,
) -> tuple[Contribution, bool]: ...


@overload
def contribution_apply_payment_intent(
    *, payment_intent: gateway.PaymentIntent, card: gateway.CardDetails | None = ..., contribution: None = ...
) -> tuple[Contribution | None, bool]: ...


@transaction.atomic
def contribution_apply_payment_intent(
    *,
    payment_intent: gateway.PaymentIntent,
    card: gateway.CardDetails | None = None,
    contribution: Contribution | None = None,
) -> tuple[Contribution | None, bool]:
    """Bring our contribution in line with Stripe's PaymentIntent; safe to call twice, in any order.

    Returns the contribution (None when we have none for this intent) and whether this call is
    the one that saw it succeed; that call queues the receipt, so it goes out exactly once
    whichever path (checkout answer, thank-you page, webhook) saw the success first.
    """
    queryset = Contribution.objects.select_for_update()
    if contribution is not None:
        contribution = queryset.get(pk=contribution.pk)
    else:
        contribution = queryset.filter(stripe_payment_intent_id=payment_intent.id).first()
    if contribution is None:
        return None, False

    if contribution.stripe_payment_intent_id is None:
        contribution.stripe_payment_intent_id = payment_intent.id
    charge = payment_intent.latest_charge
    if payment_intent.status == "succeeded":
        became_succeeded = _apply_success(contribution, payment_intent)
    else:
        became_succeeded = False
        _apply_undecided(contribution, payment_intent)
    _apply_card(contribution, card=card, charge=charge)
    contribution.save()

    if payment_intent.status == "succeeded" and charge is not None:
        entries.charge_entry_append(charge=charge, contribution=contribution)
    if became_succeeded:
        for listener in registry.contribution_succeeded_listeners():
            listener(contribution)
    return contribution, became_succeeded


def _apply_success(contribution: Contribution, payment_intent: gateway.PaymentIntent) -> bool:
    """Succeeded at Stripe: settled here once; returns whether this call is the one that settled it."""
    charge = payment_intent.latest_charge
    if charge is not None:
        contribution.stripe_charge_id = charge.id
    if contribution.status in SETTLED_STATUSES:
        return False
    contribution.status = Status.SUCCEEDED
    contribution.succeeded_at = gateway.datetime_from_stripe(
        charge.created if charge else payment_intent.created
    )
    contribution.failure_code = ""
    contribution.failure_message = ""
    return True


def _apply_undecided(contribution: Contribution, payment_intent: gateway.PaymentIntent) -> None:
    """Waiting for 3-D Secure, or failed; a settled contribution never moves back."""
    if contribution.status in SETTLED_STATUSES:
        return
    if payment_intent.status == "requires_action":
        contribution.status = Status.REQUIRES_ACTION
    elif payment_intent.status in {"requires_payment_method", "canceled"} and (
        payment_intent.last_error_code or payment_intent.status == "canceled"
    ):
        contribution.status = Status.FAILED
        contribution.failure_code = (
            payment_intent.last_error_decline_code or payment_intent.last_error_code or "canceled"
        )[:100]
        contribution.failure_message = (payment_intent.last_error_message or "")[:500]


def _apply_card(
    contribution: Contribution, *, card: gateway.CardDetails | None, charge: gateway.Charge | None
) -> None:
    """Brand and last four from the card checkout read, else from the charge; the first one seen stays."""
    card_brand = card.brand if card else (charge.card_brand if charge else "")
    card_last4 = card.last4 if card else (charge.card_last4 if charge else "")
    if card_last4 and not contribution.card_last4:
        contribution.card_brand, contribution.card_last4 = card_brand, card_last4


@transaction.atomic
def contribution_fail_before_intent(*, contribution: Contribution, code: str, message: str) -> Contribution:
    """Stripe refused the card before any PaymentIntent existed (e.g. saving it on the customer)."""
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    if contribution.status == Status.PENDING:
        contribution.status = Status.FAILED
        contribution.failure_code = code[:100]
        contribution.failure_message = message[:500]
        contribution.save()
    return contribution


@transaction.atomic
def contribution_apply_ledger(*, contribution: Contribution) -> Contribution:
    """Derive refund and dispute state from the contribution's ledger entries, so order never matters.

    An open (or lost) dispute shows as disputed; a won one goes back to the refund state.
    """
    contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
    before = (contribution.status, contribution.amount_refunded_minor)
    totals = {kind: 0 for kind in LedgerEntry.Kind.values}
    counts = dict(totals)
    for kind, amount in contribution.ledger_entries.values_list("kind", "amount_minor"):
        totals[kind] += amount
        counts[kind] += 1
    charged = totals[LedgerEntry.Kind.CHARGE]
    refunded = -totals[LedgerEntry.Kind.REFUND]
    contribution.amount_refunded_minor = refunded
    if counts[LedgerEntry.Kind.DISPUTE] > counts[LedgerEntry.Kind.DISPUTE_REVERSAL]:
        contribution.status = Status.DISPUTED
    elif charged and refunded >= charged:
        contribution.status = Status.REFUNDED
    elif refunded > 0:
        contribution.status = Status.PARTIALLY_REFUNDED
    elif contribution.status in SETTLED_STATUSES:
        contribution.status = Status.SUCCEEDED
    if (contribution.status, contribution.amount_refunded_minor) != before:
        contribution.save(update_fields=["amount_refunded_minor", "status", "updated_at"])
    return contribution


def contribution_set_payment_intent(*, contribution: Contribution, payment_intent_id: str) -> None:
    """Remember the intent as soon as Stripe made it, before it is confirmed (a webhook may come first)."""
    Contribution.objects.filter(pk=contribution.pk, stripe_payment_intent_id=None).update(
        stripe_payment_intent_id=payment_intent_id
    )


def contribution_set_invoice(*, contribution: Contribution, invoice_id: str | None) -> None:
    """The first invoice of a membership checkout started; a contribution keeps the first one it learns."""
    if invoice_id:
        Contribution.objects.filter(pk=contribution.pk, stripe_invoice_id=None).update(
            stripe_invoice_id=invoice_id
        )


def contributor_find_or_create(
    *, email: str, name: str = "", user_id: int | None = None, language: str = ""
) -> Contributor:
    """Find-or-create by lower-cased email; fill the name and account link when we learn them, and keep
    the language of their latest gift (their emails are written in it).

    `user_id` is the signed-in reader giving with their own account's email (checkout allows no other).
    A guest's gift goes to the account that verified this email, if one did (see `payments.claims`).
    """
    if user_id is None:
        user_id = verified_email_owner_id(email=email)
    contributor = Contributor.objects.filter(email__iexact=email).first()
    if contributor is None:
        contributor, _created = Contributor.objects.get_or_create(
            email=email.strip().lower(), defaults={"name": name, "user_id": user_id, "language": language}
        )
    changed: list[str] = []
    if name and not contributor.name:
        contributor.name, changed = name, [*changed, "name"]
    if user_id and not contributor.user_id:
        contributor.user_id, changed = user_id, [*changed, "user"]
    if language and language != contributor.language:
        contributor.language, changed = language, [*changed, "language"]
    if changed:
        contributor.save(update_fields=changed)
    return contributor


def contributor_set_stripe_customer(*, contributor: Contributor, customer_id: str) -> str:
    """Link the Stripe customer unless another request linked one first; returns the one kept."""
    Contributor.objects.filter(pk=contributor.pk, stripe_customer_id__isnull=True).update(
        stripe_customer_id=customer_id
    )
    contributor.refresh_from_db(fields=["stripe_customer_id"])
    return contributor.stripe_customer_id or customer_id


def contributor_apply_customer(*, contributor: Contributor, customer: gateway.Customer) -> Contributor:
    """Name and email as Stripe has them now; an email another contributor has is not taken."""
    contributor.name = (customer.name or contributor.name)[:200]
    email = (customer.email or "").strip().lower()
    if email and email != contributor.email and not Contributor.objects.filter(email=email).exists():
        contributor.email = email
    try:
        with transaction.atomic():
            contributor.save(update_fields=["name", "email"])
    except IntegrityError:  # another contributor took the email meanwhile: keep ours
        contributor.refresh_from_db()
    return contributor
