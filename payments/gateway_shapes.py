"""Parsers for the Stripe objects the webhooks, the ledger and reconciliation read.

Pure functions (no `stripe` import): `payments.gateway` re-exports them and makes the calls.
Each accepts localstripe's 2017-08-15 shapes and today's shapes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


def object_id(value) -> str | None:
    """The id of a field that is either an id string or an expanded object."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return value.get("id")
    return getattr(value, "id", None)


@dataclass(frozen=True)
class Event:
    """A verified Stripe event; `data_object` is the raw object, read only through the parsers."""

    id: str
    type: str
    created: int
    livemode: bool
    api_version: str
    data_object: dict = field(default_factory=dict)
    raw: dict = field(default_factory=dict, repr=False)  # the whole event as Stripe sent it

    @property
    def object_id(self) -> str:
        return str(self.data_object.get("id") or "")


def parse_event(data: Mapping) -> Event:
    """Raise ValueError when the body is not a Stripe event (no id, type or data.object)."""
    if not isinstance(data, Mapping):
        raise ValueError("the body is not a JSON object")
    event_id, event_type = data.get("id"), data.get("type")
    data_object = (data.get("data") or {}).get("object") if isinstance(data.get("data"), Mapping) else None
    if not isinstance(event_id, str) or not event_id or not isinstance(event_type, str) or not event_type:
        raise ValueError("the body has no event id or type")
    if not isinstance(data_object, Mapping):
        raise ValueError("the body has no data.object")
    return Event(
        id=event_id,
        type=event_type,
        created=int(data.get("created") or 0),
        livemode=bool(data.get("livemode")),
        api_version=str(data.get("api_version") or ""),
        data_object=dict(data_object),
        raw=dict(data),
    )


@dataclass(frozen=True)
class Invoice:
    """Old shape: `charge`, `payment_intent`, `subscription` on the invoice; today: `parent` and payments."""

    id: str
    status: str
    amount_paid: int
    currency: str
    created: int
    customer_id: str | None
    customer_email: str | None
    subscription_id: str | None
    payment_intent_id: str | None
    charge_id: str | None
    billing_reason: str | None
    paid_at: int | None
    metadata: dict = field(default_factory=dict)

    @property
    def is_paid(self) -> bool:
        return self.status == "paid" and self.amount_paid > 0


def parse_invoice(data: Mapping) -> Invoice:
    parent = data.get("parent") or {}
    subscription = data.get("subscription") or (parent.get("subscription_details") or {}).get("subscription")
    transitions = data.get("status_transitions") or {}
    status = data.get("status") or ""
    amount_paid = data.get("amount_paid")
    if amount_paid is None:
        amount_paid = data.get("total") if status == "paid" else 0
    return Invoice(
        id=data["id"],
        status=status,
        amount_paid=int(amount_paid or 0),
        currency=str(data.get("currency") or "").upper(),
        created=int(data.get("created") or data.get("date") or 0),
        customer_id=object_id(data.get("customer")),
        customer_email=data.get("customer_email"),
        subscription_id=object_id(subscription),
        payment_intent_id=object_id(data.get("payment_intent")),
        charge_id=object_id(data.get("charge")),
        billing_reason=data.get("billing_reason"),
        paid_at=transitions.get("paid_at"),
        metadata=dict(data.get("metadata") or {}),
    )


def parse_invoice_payment_intent_ids(payments: list[Mapping]) -> list[str]:
    """Intent ids of an invoice's paid InvoicePayment objects (today's shape), newest first."""
    ids = []
    for item in payments:
        payment = item.get("payment") or {}
        intent = object_id(payment.get("payment_intent"))
        if intent and item.get("status") in {"paid", None}:
            ids.append(intent)
    return ids


@dataclass(frozen=True)
class Refund:
    id: str
    amount: int
    currency: str
    status: str
    created: int
    charge_id: str | None
    payment_intent_id: str | None
    balance_transaction_id: str | None
    balance_transaction: BalanceTransaction | None
    metadata: dict = field(default_factory=dict)


def parse_refund(data: Mapping) -> Refund:
    balance = data.get("balance_transaction")
    return Refund(
        id=data["id"],
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        status=data.get("status") or "",
        created=int(data.get("created") or data.get("date") or 0),
        charge_id=object_id(data.get("charge")),
        payment_intent_id=object_id(data.get("payment_intent")),
        balance_transaction_id=object_id(balance),
        balance_transaction=parse_balance_transaction(balance) if isinstance(balance, Mapping) else None,
        metadata=dict(data.get("metadata") or {}),
    )


@dataclass(frozen=True)
class Dispute:
    """Funds withdrawn when opened; a `won` dispute reinstates them (a second balance transaction)."""

    id: str
    amount: int
    currency: str
    status: str
    created: int
    charge_id: str | None
    payment_intent_id: str | None
    balance_transactions: tuple[BalanceTransaction, ...] = ()


def parse_dispute(data: Mapping) -> Dispute:
    balances = [
        parse_balance_transaction(item)
        for item in data.get("balance_transactions") or []
        if isinstance(item, Mapping)
    ]
    return Dispute(
        id=data["id"],
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        status=data.get("status") or "",
        created=int(data.get("created") or 0),
        charge_id=object_id(data.get("charge")),
        payment_intent_id=object_id(data.get("payment_intent")),
        balance_transactions=tuple(balances),
    )


@dataclass(frozen=True)
class Payout:
    id: str
    amount: int
    currency: str
    status: str
    created: int
    arrival_date: int | None


def parse_payout(data: Mapping) -> Payout:
    return Payout(
        id=data["id"],
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        status=data.get("status") or "",
        created=int(data.get("created") or 0),
        arrival_date=data.get("arrival_date"),
    )


@dataclass(frozen=True)
class BalanceTransaction:
    """How a charge or refund settled: in the account's currency, with Stripe's fee and rate."""

    id: str
    amount: int
    currency: str
    fee: int
    net: int
    exchange_rate: str | None  # decimal text, never a float
    source_id: str | None
    type: str


def parse_balance_transaction(data: Mapping) -> BalanceTransaction:
    rate = data.get("exchange_rate")
    return BalanceTransaction(
        id=data["id"],
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        fee=int(data.get("fee") or 0),
        net=int(data.get("net") or 0),
        exchange_rate=None if rate is None else str(rate),
        source_id=object_id(data.get("source")),
        type=data.get("type") or "",
    )
