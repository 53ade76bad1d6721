"""State changes of contributions; the only place a contribution's status moves."""

import logging
from datetime import UTC, datetime

from django.db import transaction

from payments import gateway, ledger, tasks
from payments.models import Contribution, LedgerEntry

logger = logging.getLogger(__name__)

Status = Contribution.Status

# A contribution only moves forward: a late "requires_action" never undoes a success.
SETTLED_STATUSES = {Status.SUCCEEDED, Status.REFUNDED, Status.PARTIALLY_REFUNDED, Status.DISPUTED}


def _timestamp(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


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
    became_succeeded = False
    charge = payment_intent.latest_charge
    if payment_intent.status == "succeeded":
        if contribution.status not in SETTLED_STATUSES:
            contribution.status = Status.SUCCEEDED
            contribution.succeeded_at = _timestamp(charge.created if charge else payment_intent.created)
            contribution.failure_code = ""
            contribution.failure_message = ""
            became_succeeded = True
        if charge is not None:
            contribution.stripe_charge_id = charge.id
    elif contribution.status not in SETTLED_STATUSES:
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

    card_brand = card.brand if card else (charge.card_brand if charge else "")
    card_last4 = card.last4 if card else (charge.card_last4 if charge else "")
    if card_last4 and not contribution.card_last4:
        contribution.card_brand, contribution.card_last4 = card_brand, card_last4
    contribution.save()

    if payment_intent.status == "succeeded" and charge is not None:
        ledger.record_charge(charge=charge, contribution=contribution)
    if became_succeeded:
        _queue_success_emails(contribution)
    return contribution, became_succeeded


def _queue_success_emails(contribution: Contribution) -> None:
    """Receipt (and, for a membership, the welcome) after commit; each task sends at most once."""
    contribution_id, membership_id = contribution.pk, contribution.membership_id
    transaction.on_commit(lambda: tasks.send_contribution_receipt.delay(contribution_id=contribution_id))
    if membership_id:
        transaction.on_commit(lambda: tasks.send_membership_welcome.delay(membership_id=membership_id))


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
