"""Payouts: which ledger entries each Stripe payout settled, kept in PayoutLine rows.

The ledger rows stay untouched (append-only); a payout links to them through its lines, matched
by balance transaction id (or by the transaction's source: the charge, refund or dispute id).
"""

from __future__ import annotations

import logging

from django.db import transaction

from payments import gateway
from payments.models import LedgerEntry, Payout, PayoutLine

logger = logging.getLogger(__name__)


def _entry_for(balance: gateway.BalanceTransaction) -> LedgerEntry | None:
    entries = LedgerEntry.objects.exclude(kind=LedgerEntry.Kind.FEE)
    found = entries.filter(stripe_balance_transaction_id=balance.id).first()
    if found is None and balance.source_id:
        found = entries.filter(stripe_object_id=balance.source_id).order_by("id").first()
    return found


def payout_record(*, payout: gateway.Payout) -> tuple[Payout, int]:
    """Store the payout and one line per balance transaction it settled; safe to run again.

    Returns the payout and how many lines it has. When Stripe cannot list the payout's balance
    transactions (localstripe), the payout is stored without lines and a warning is logged.
    The list is read from Stripe before the rows are written.
    """
    try:
        balances = gateway.list_payout_balance_transactions(payout.id)
    except gateway.GatewayError as exc:
        logger.warning("Payout %s: balance transactions unavailable (%s)", payout.id, exc)
        balances = []
    with transaction.atomic():
        return _payout_store(payout, balances)


def _payout_store(payout: gateway.Payout, balances: list[gateway.BalanceTransaction]) -> tuple[Payout, int]:
    row, _created = Payout.objects.update_or_create(
        stripe_payout_id=payout.id,
        defaults={
            "amount_minor": payout.amount,
            "currency": payout.currency,
            "status": payout.status,
            "arrival_date": gateway.datetime_from_stripe(payout.arrival_date),
            "stripe_created_at": gateway.datetime_from_stripe(payout.created),
        },
    )
    for balance in balances:
        if balance.type == "payout":
            continue  # the payout's own transaction
        PayoutLine.objects.get_or_create(
            payout=row,
            stripe_balance_transaction_id=balance.id,
            defaults={
                "type": balance.type,
                "amount_minor": balance.amount,
                "fee_minor": balance.fee,
                "currency": balance.currency,
                "ledger_entry": _entry_for(balance),
            },
        )
    return row, row.lines.count()
