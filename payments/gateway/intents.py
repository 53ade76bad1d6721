"""Money in and back out: payment intents, saved cards, charges, balance transactions and refunds.

Each money-moving call takes an idempotency key derived from our rows. Amounts are our minor units;
`amounts.to_stripe_amount` turns them into Stripe's integers on the way out (the parsers convert back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from payments.gateway.amounts import to_stripe_amount
from payments.gateway.connection import _call, _paginate, client, to_dict
from payments.gateway.errors import CardError
from payments.gateway.shapes import (
    BalanceTransaction,
    CardDetails,
    Charge,
    PaymentIntent,
    Refund,
    parse_balance_transaction,
    parse_card,
    parse_charge,
    parse_payment_intent,
    parse_refund,
)

INTENT_EXPAND = ["latest_charge.balance_transaction"]


def retrieve_payment_intent(payment_intent_id: str) -> PaymentIntent:
    """The current intent with its latest charge and that charge's balance transaction expanded."""
    result = _call(
        "payment intent retrieve",
        client().v1.payment_intents.retrieve,
        payment_intent_id,
        {"expand": ["latest_charge.balance_transaction"]},
    )
    return parse_payment_intent(to_dict(result))


def retrieve_charge(charge_id: str) -> Charge:
    result = _call(
        "charge retrieve",
        client().v1.charges.retrieve,
        charge_id,
        {"expand": ["balance_transaction"]},
    )
    return parse_charge(to_dict(result))


def retrieve_balance_transaction(balance_transaction_id: str) -> BalanceTransaction:
    result = _call(
        "balance transaction retrieve",
        client().v1.balance_transactions.retrieve,
        balance_transaction_id,
    )
    return parse_balance_transaction(to_dict(result))


def retrieve_card(payment_method_id: str) -> CardDetails:
    """Brand and last four of a saved payment method (localstripe's charges do not carry them)."""
    result = _call("payment method retrieve", client().v1.payment_methods.retrieve, payment_method_id)
    return parse_card(to_dict(result))


def create_payment_intent(
    *,
    amount: int,
    currency: str,
    payment_method_id: str,
    customer_id: str | None = None,
    metadata: Mapping[str, str] | None = None,
    idempotency_key: str,
) -> PaymentIntent:
    """Create without confirming: a decline on `create(confirm=True)` would lose the intent's id.

    AmountNotAcceptedError, before any call, for an amount Stripe would refuse in that currency.
    """
    params: dict[str, Any] = {
        "amount": to_stripe_amount(amount, currency),
        "currency": currency.lower(),
        "payment_method": payment_method_id,
        "payment_method_types": ["card"],
        "metadata": dict(metadata or {}),
    }
    if customer_id:
        params["customer"] = customer_id
    result = _call(
        "payment intent create",
        client().v1.payment_intents.create,
        params,
        {"idempotency_key": idempotency_key},
    )
    return parse_payment_intent(to_dict(result))


def confirm_payment_intent(payment_intent_id: str, *, idempotency_key: str) -> PaymentIntent:
    """Confirm server-side; a decline raises CardError carrying the intent's id."""
    try:
        result = _call(
            "payment intent confirm",
            client().v1.payment_intents.confirm,
            payment_intent_id,
            {"expand": INTENT_EXPAND},
            {"idempotency_key": idempotency_key},
        )
    except CardError as exc:
        exc.payment_intent_id = exc.payment_intent_id or payment_intent_id
        raise
    return parse_payment_intent(to_dict(result))


def attach_payment_method(*, payment_method_id: str, customer_id: str, idempotency_key: str) -> CardDetails:
    """Save a card on a customer so it can pay again (Stripe checks it here: a CardError may follow)."""
    result = _call(
        "payment method attach",
        client().v1.payment_methods.attach,
        payment_method_id,
        {"customer": customer_id},
        {"idempotency_key": idempotency_key},
    )
    return parse_card(to_dict(result))


def retrieve_refund(refund_id: str) -> Refund:
    result = _call(
        "refund retrieve",
        client().v1.refunds.retrieve,
        refund_id,
        {"expand": ["balance_transaction"]},
    )
    return parse_refund(to_dict(result))


def list_charge_refunds(charge_id: str) -> list[Refund]:
    """Every refund of a charge (today's charge objects no longer embed them)."""
    return [
        parse_refund(data)
        for data in _paginate("refund list", client().v1.refunds.list, {"charge": charge_id})
    ]


def create_refund(
    *,
    payment_intent_id: str,
    amount: int,
    idempotency_key: str,
    metadata: Mapping[str, str],
    currency: str,
) -> Refund:
    """Money out: the idempotency key comes from our RefundRequest row, so a retry never refunds twice.

    `amount` is in our minor units of `currency`, the intent's (a refund names none at Stripe).
    AmountNotAcceptedError, before the refund call, for an amount Stripe would refuse.
    """
    result = _call(
        "refund create",
        client().v1.refunds.create,
        {
            "payment_intent": payment_intent_id,
            "amount": to_stripe_amount(amount, currency),
            "metadata": dict(metadata),
        },
        {"idempotency_key": idempotency_key},
    )
    return parse_refund(to_dict(result))
