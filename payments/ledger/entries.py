"""The append-only ledger: one row per money movement Stripe confirmed, never edited.

Each writer is idempotent by (kind, Stripe object id): a payment reported by several events, or
by an event and reconciliation, is one entry. Corrections are new entries of another kind.
"""

from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction

from payments import gateway
from payments.models import Contribution, LedgerEntry


def _settlement_fields(balance: gateway.BalanceTransaction | None, sign: int) -> dict:
    if balance is None:
        return {}
    return {
        "settlement_amount_minor": sign * abs(balance.amount),
        "settlement_currency": balance.currency,
        "exchange_rate": Decimal(balance.exchange_rate) if balance.exchange_rate else None,
        "stripe_balance_transaction_id": balance.id,
    }


def _append(*, kind: str, stripe_object_id: str, defaults: dict) -> tuple[LedgerEntry, bool]:
    """Insert once; a concurrent or repeated writer gets the existing row back."""
    existing = LedgerEntry.objects.filter(kind=kind, stripe_object_id=stripe_object_id).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return LedgerEntry.objects.create(kind=kind, stripe_object_id=stripe_object_id, **defaults), True
    except IntegrityError:
        return LedgerEntry.objects.get(kind=kind, stripe_object_id=stripe_object_id), False


def _links(contribution: Contribution | None) -> dict:
    if contribution is None:
        return {}
    return {
        "contribution": contribution,
        "contributor_id": contribution.contributor_id,
        "membership_id": contribution.membership_id,
        "campaign": contribution.campaign,
    }


def charge_entry_append(
    *,
    charge: gateway.Charge,
    contribution: Contribution | None,
    balance: gateway.BalanceTransaction | None = None,
) -> LedgerEntry:
    """A succeeded charge, plus Stripe's fee as its own entry when the balance transaction shows one."""
    balance = balance or charge.balance_transaction
    entry, _created = _append(
        kind=LedgerEntry.Kind.CHARGE,
        stripe_object_id=charge.id,
        defaults={
            "amount_minor": charge.amount,
            "currency": charge.currency,
            "occurred_at": gateway.timestamp_from_stripe(charge.created),
            **_settlement_fields(balance, +1),
            **_links(contribution),
        },
    )
    if balance is not None and balance.fee:
        fee_entry_append(balance=balance, contribution=contribution, occurred_at=entry.occurred_at)
    return entry


def fee_entry_append(
    *, balance: gateway.BalanceTransaction, contribution: Contribution | None, occurred_at: datetime
) -> LedgerEntry:
    """Stripe's fee is money out, in the settlement currency (that is where Stripe takes it)."""
    entry, _created = _append(
        kind=LedgerEntry.Kind.FEE,
        stripe_object_id=balance.id,
        defaults={
            "amount_minor": -balance.fee,
            "currency": balance.currency,
            "settlement_amount_minor": -balance.fee,
            "settlement_currency": balance.currency,
            "exchange_rate": Decimal(1),
            "stripe_balance_transaction_id": balance.id,
            "occurred_at": occurred_at,
            **_links(contribution),
        },
    )
    return entry


def refund_entry_append(
    *,
    refund: gateway.Refund,
    contribution: Contribution | None,
    balance: gateway.BalanceTransaction | None = None,
) -> LedgerEntry:
    """Money returned to the reader: negative, unique on the refund id (re_…), partial or full."""
    balance = balance or refund.balance_transaction
    entry, _created = _append(
        kind=LedgerEntry.Kind.REFUND,
        stripe_object_id=refund.id,
        defaults={
            "amount_minor": -refund.amount,
            "currency": refund.currency,
            "occurred_at": gateway.timestamp_from_stripe(refund.created),
            **_settlement_fields(balance, -1),
            **_links(contribution),
        },
    )
    return entry


def dispute_entry_append(
    *,
    dispute: gateway.Dispute,
    contribution: Contribution | None,
    balance: gateway.BalanceTransaction | None = None,
) -> LedgerEntry:
    """Funds Stripe withdrew when the dispute opened (negative), and the dispute fee when shown."""
    entry, _created = _append(
        kind=LedgerEntry.Kind.DISPUTE,
        stripe_object_id=dispute.id,
        defaults={
            "amount_minor": -dispute.amount,
            "currency": dispute.currency,
            "occurred_at": gateway.timestamp_from_stripe(dispute.created),
            **_settlement_fields(balance, -1),
            **_links(contribution),
        },
    )
    if balance is not None and balance.fee:
        fee_entry_append(balance=balance, contribution=contribution, occurred_at=entry.occurred_at)
    return entry


def dispute_reversal_entry_append(
    *,
    dispute: gateway.Dispute,
    contribution: Contribution | None,
    occurred_at: datetime,
    balance: gateway.BalanceTransaction | None = None,
) -> LedgerEntry:
    """A won dispute: Stripe reinstates the funds (positive). A lost one adds nothing."""
    entry, _created = _append(
        kind=LedgerEntry.Kind.DISPUTE_REVERSAL,
        stripe_object_id=dispute.id,
        defaults={
            "amount_minor": dispute.amount,
            "currency": dispute.currency,
            "occurred_at": occurred_at,
            **_settlement_fields(balance, +1),
            **_links(contribution),
        },
    )
    return entry
