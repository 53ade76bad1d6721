"""Money going back: refunds (staff-made or from Stripe) and disputes, recorded once in the ledger.

Each writer is idempotent by the Stripe object id and derives the contribution's state from its
ledger entries, so any order of charge.refunded, refund events, disputes and reconciliation ends
in the same state. Stripe is asked first; the entry and the state are written after, together.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from payments import gateway, recording, registry, services
from payments.ledger import entries
from payments.models import Contribution, LedgerEntry, RefundNotice, RefundRequest
from payments.money import format_money

# The reader's email about a refund, a task in payments/tasks.py: that module sits above this one (it may
# import this, not the other way), so the task is queued by its name.
# A refund older than this when first recorded (found by an import of Stripe's history) gets no email.
REFUND_NOTICE_MAX_AGE = timedelta(days=7)


def contribution_for_charge(*, charge_id: str | None, payment_intent_id: str | None) -> Contribution | None:
    """The contribution a charge paid, recording the payment first if the ledger never saw it."""
    if charge_id:
        entry = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE, stripe_object_id=charge_id).first()
        if entry and entry.contribution_id:
            return entry.contribution
        found = Contribution.objects.filter(stripe_charge_id=charge_id).first()
        if found:
            return found
    if payment_intent_id is None and charge_id:
        payment_intent_id = gateway.retrieve_charge(charge_id).payment_intent_id
    if payment_intent_id is None:
        return None
    return recording.payment_intent_record(intent=gateway.retrieve_payment_intent(payment_intent_id))


def refund_record(*, refund: gateway.Refund) -> LedgerEntry | None:
    """A refund Stripe confirmed (status succeeded); pending ones are recorded when they succeed."""
    RefundRequest.objects.filter(stripe_refund_id=refund.id).exclude(
        status=RefundRequest.Status.SUCCEEDED
    ).update(status=_request_status(refund.status))
    if refund.status != "succeeded":
        return None
    balance = refund.balance_transaction
    if balance is None and refund.balance_transaction_id:
        balance = gateway.retrieve_balance_transaction(refund.balance_transaction_id)
    contribution = contribution_for_charge(
        charge_id=refund.charge_id, payment_intent_id=refund.payment_intent_id
    )
    with transaction.atomic():
        entry = entries.refund_entry_append(refund=refund, contribution=contribution, balance=balance)
        if contribution is not None:
            services.contribution_apply_ledger(contribution=contribution)
            _refund_notice_queue(entry=entry)
    return entry


def _refund_notice_queue(*, entry: LedgerEntry) -> None:
    """The first time a refund is recorded, its notice row is made and its email queued on commit.

    Any path that records the refund (staff's refund, a refund made in Stripe's dashboard and reported by a
    webhook, reconciliation) ends here, and the notice's one-to-one key makes it once per refund.
    """
    if timezone.now() - entry.occurred_at > REFUND_NOTICE_MAX_AGE:
        return
    notice, created = RefundNotice.objects.get_or_create(ledger_entry=entry)
    if created:
        for listener in registry.refund_recorded_listeners():  # payments' tasks queue the email
            listener(notice)


def _request_status(refund_status: str) -> str:
    return {
        "succeeded": RefundRequest.Status.SUCCEEDED,
        "failed": RefundRequest.Status.FAILED,
        "canceled": RefundRequest.Status.FAILED,
    }.get(refund_status, RefundRequest.Status.PENDING)


def charge_refunds_record(*, charge_id: str) -> int:
    """Every refund of a charge (charge.refunded carries the charge, not always its refunds)."""
    refunds = gateway.list_charge_refunds(charge_id)
    for refund in refunds:
        refund_record(
            refund=gateway.retrieve_refund(refund.id) if refund.balance_transaction is None else refund
        )
    return len(refunds)


def dispute_record(*, dispute: gateway.Dispute, observed_at: datetime) -> Contribution | None:
    """Withdrawal when opened; reinstatement when won; a lost dispute adds nothing more."""
    contribution = contribution_for_charge(
        charge_id=dispute.charge_id, payment_intent_id=dispute.payment_intent_id
    )
    withdrawals = [b for b in dispute.balance_transactions if b.amount < 0]
    reinstatements = [b for b in dispute.balance_transactions if b.amount > 0]
    with transaction.atomic():
        entries.dispute_entry_append(
            dispute=dispute, contribution=contribution, balance=withdrawals[0] if withdrawals else None
        )
        if dispute.status == "won":
            entries.dispute_reversal_entry_append(
                dispute=dispute,
                contribution=contribution,
                occurred_at=observed_at,
                balance=reinstatements[0] if reinstatements else None,
            )
        if contribution is not None:
            contribution = services.contribution_apply_ledger(contribution=contribution)
    return contribution


class RefundNotAllowedError(Exception):
    """Staff asked for a refund Stripe must not make; the message names the problem."""

    def __init__(self, message: str, *, field: str = "amount") -> None:
        super().__init__(message)
        self.field = field


def _total(queryset: QuerySet) -> int:
    return queryset.aggregate(total=Sum("amount_minor"))["total"] or 0


def refundable_minor(contribution: Contribution) -> int:
    """Charged minus refunded minus refunds still in flight."""
    entries = contribution.ledger_entries
    charged = _total(entries.filter(kind=LedgerEntry.Kind.CHARGE))
    refunded = -_total(entries.filter(kind=LedgerEntry.Kind.REFUND))
    in_flight = _total(
        contribution.refund_requests.filter(
            status__in=[RefundRequest.Status.REQUESTED, RefundRequest.Status.PENDING]
        )
    )
    return max(charged - refunded - in_flight, 0)


def contribution_refund(
    *, contribution: Contribution, amount_minor: int, requested_by=None, reason: str = ""
) -> RefundRequest:
    """Refund (part of) a contribution through Stripe; the ledger records it once Stripe confirms it.

    The request row is written first: its id makes the idempotency key, so a retried call never
    refunds twice. Raises RefundNotAllowedError for an amount above what is refundable.
    """
    with transaction.atomic():
        contribution = Contribution.objects.select_for_update().get(pk=contribution.pk)
        if not contribution.stripe_payment_intent_id:
            raise RefundNotAllowedError(
                _("This contribution has no Stripe payment to refund."), field="contribution"
            )
        if contribution.status == Contribution.Status.DISPUTED:
            raise RefundNotAllowedError(_("A disputed payment cannot be refunded."), field="contribution")
        available = refundable_minor(contribution)
        if amount_minor <= 0:
            raise RefundNotAllowedError(_("The amount must be positive."))
        if amount_minor > available:
            raise RefundNotAllowedError(
                _("At most %(available)s can be refunded; %(asked)s was asked.")
                % {
                    "available": format_money(available, contribution.currency),
                    "asked": format_money(amount_minor, contribution.currency),
                }
            )
        request = RefundRequest.objects.create(
            contribution=contribution,
            amount_minor=amount_minor,
            currency=contribution.currency,
            reason=reason[:200],
            requested_by=requested_by,
        )
    try:
        refund = gateway.create_refund(
            payment_intent_id=contribution.stripe_payment_intent_id,
            amount=amount_minor,
            currency=contribution.currency,
            idempotency_key=request.idempotency_key,
            metadata={"contribution": str(contribution.public_id), "refund_request": str(request.pk)},
        )
    except gateway.GatewayError as exc:
        request.status, request.error = RefundRequest.Status.FAILED, str(exc)
        request.save(update_fields=["status", "error"])
        raise RefundNotAllowedError(str(exc), field="stripe") from exc
    request.stripe_refund_id = refund.id
    request.status = _request_status(refund.status)
    request.save(update_fields=["stripe_refund_id", "status"])
    if refund.status == "succeeded":
        refund_record(refund=gateway.retrieve_refund(refund.id))
    request.refresh_from_db()
    return request
