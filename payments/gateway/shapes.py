"""Frozen dataclasses and parsers for the Stripe objects payments read: events, customers, intents,
charges, cards, refunds, disputes, payouts and balance transactions.

Pure functions (no `stripe` import); the package re-exports them. Each accepts localstripe's
2017-08-15 shapes and today's shapes. Billing objects (plans, subscriptions, invoices) are in
`billing_shapes`. Every amount in these dataclasses is in OUR minor units (CLDR): the parsers convert
Stripe's integers with `amounts.from_stripe_amount`, in the currency of the object that carries them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from payments.gateway.amounts import from_stripe_amount


def timestamp_from_stripe(value: int) -> datetime:
    """Stripe's times are Unix seconds; ours are aware datetimes in UTC."""
    return datetime.fromtimestamp(value, tz=UTC)


def datetime_from_stripe(value: int | None) -> datetime | None:
    """An optional Stripe time (0 or None when unset, such as `canceled_at`) as an aware datetime."""
    return timestamp_from_stripe(value) if value else None


def event_time(event: Event) -> datetime:
    """When Stripe created the event: the time a snapshot in it was observed."""
    return timestamp_from_stripe(event.created)


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


# What a usable event's fields can hold: the columns they are stored in, and times a datetime can hold.
EVENT_ID_MAX, EVENT_TYPE_MAX, API_VERSION_MAX, OBJECT_ID_MAX = 255, 100, 50, 255
LATEST_STRIPE_TIME = 253402300799  # 9999-12-31T23:59:59Z


def _text_field(data: Mapping, name: str, *, max_length: int, required: bool) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise ValueError(f"the event's {name} is missing or not text")
    if len(value) > max_length:
        raise ValueError(f"the event's {name} is longer than {max_length} characters")
    if any(ord(character) < 32 or 0xD800 <= ord(character) <= 0xDFFF for character in value):
        raise ValueError(f"the event's {name} contains control characters")
    return value


def _created(data: Mapping) -> int:
    value = data.get("created")
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= LATEST_STRIPE_TIME:
        raise ValueError("the event's created is not a Unix time")
    return value


def parse_event(data: Mapping) -> Event:
    """Raise ValueError when the body is not a usable Stripe event: no id, type or data.object, or
    fields we could not store (too long, control characters, a `created` that is no Unix time)."""
    if not isinstance(data, Mapping):
        raise ValueError("the body is not a JSON object")
    event_id = _text_field(data, "id", max_length=EVENT_ID_MAX, required=True)
    event_type = _text_field(data, "type", max_length=EVENT_TYPE_MAX, required=True)
    data_object = (data.get("data") or {}).get("object") if isinstance(data.get("data"), Mapping) else None
    if not isinstance(data_object, Mapping):
        raise ValueError("the body has no data.object")
    if isinstance(data_object.get("id"), str):
        _text_field(data_object, "id", max_length=OBJECT_ID_MAX, required=False)
    return Event(
        id=event_id,
        type=event_type,
        created=_created(data),
        livemode=bool(data.get("livemode")),
        api_version=_text_field(data, "api_version", max_length=API_VERSION_MAX, required=False),
        data_object=dict(data_object),
        raw=dict(data),
    )


@dataclass(frozen=True)
class Customer:
    id: str
    email: str | None
    name: str | None
    default_payment_method: str | None
    metadata: dict = field(default_factory=dict)


def parse_customer(data: Mapping) -> Customer:
    invoice_settings = data.get("invoice_settings") or {}
    return Customer(
        id=data["id"],
        email=data.get("email"),
        name=data.get("name"),
        default_payment_method=object_id(invoice_settings.get("default_payment_method")),
        metadata=dict(data.get("metadata") or {}),
    )


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
    currency = str(data["currency"]).upper()
    return Refund(
        id=data["id"],
        amount=from_stripe_amount(int(data["amount"]), currency),
        currency=currency,
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
    currency = str(data["currency"]).upper()
    return Dispute(
        id=data["id"],
        amount=from_stripe_amount(int(data["amount"]), currency),
        currency=currency,
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
    currency = str(data["currency"]).upper()
    return Payout(
        id=data["id"],
        amount=from_stripe_amount(int(data["amount"]), currency),
        currency=currency,
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
    currency = str(data["currency"]).upper()  # the account's currency, not the charge's
    return BalanceTransaction(
        id=data["id"],
        amount=from_stripe_amount(int(data["amount"]), currency),
        currency=currency,
        fee=from_stripe_amount(int(data.get("fee") or 0), currency, exact=False),
        net=from_stripe_amount(int(data.get("net") or 0), currency, exact=False),
        exchange_rate=None if rate is None else str(rate),
        source_id=object_id(data.get("source")),
        type=data.get("type") or "",
    )


@dataclass(frozen=True)
class Charge:
    id: str
    amount: int
    amount_refunded: int
    currency: str
    status: str
    paid: bool
    created: int
    payment_intent_id: str | None
    invoice_id: str | None
    customer_id: str | None
    payment_method_id: str | None
    balance_transaction_id: str | None
    balance_transaction: BalanceTransaction | None
    card_brand: str
    card_last4: str
    card_fingerprint: str
    failure_code: str | None
    failure_message: str | None


def parse_charge(data: Mapping) -> Charge:
    card = ((data.get("payment_method_details") or {}).get("card")) or {}
    balance = data.get("balance_transaction")
    currency = str(data["currency"]).upper()
    return Charge(
        id=data["id"],
        amount=from_stripe_amount(int(data["amount"]), currency),
        amount_refunded=from_stripe_amount(int(data.get("amount_refunded") or 0), currency),
        currency=currency,
        status=data.get("status") or "",
        paid=bool(data.get("paid")),
        created=int(data.get("created") or 0),
        payment_intent_id=object_id(data.get("payment_intent")),
        invoice_id=object_id(data.get("invoice")),
        customer_id=object_id(data.get("customer")),
        payment_method_id=object_id(data.get("payment_method")),
        balance_transaction_id=object_id(balance),
        balance_transaction=parse_balance_transaction(balance) if isinstance(balance, Mapping) else None,
        card_brand=card.get("brand") or "",
        card_last4=card.get("last4") or "",
        card_fingerprint=card.get("fingerprint") or "",
        failure_code=data.get("failure_code"),
        failure_message=data.get("failure_message"),
    )


@dataclass(frozen=True)
class PaymentIntent:
    id: str
    status: str
    amount: int
    currency: str
    created: int
    client_secret: str | None
    customer_id: str | None
    payment_method_id: str | None
    invoice_id: str | None
    latest_charge_id: str | None
    latest_charge: Charge | None
    next_action_type: str | None
    last_error_code: str | None
    last_error_decline_code: str | None
    last_error_message: str | None
    metadata: dict = field(default_factory=dict)
    receipt_email: str | None = None


def parse_payment_intent(data: Mapping) -> PaymentIntent:
    """Old shape: `latest_charge` (or `charges.data`) is a whole object; today it is an id."""
    latest = data.get("latest_charge")
    if latest is None:
        old_charges = ((data.get("charges") or {}).get("data")) or []
        latest = old_charges[-1] if old_charges else None
    error = data.get("last_payment_error") or {}
    next_action = data.get("next_action") or {}
    currency = str(data["currency"]).upper()
    return PaymentIntent(
        id=data["id"],
        status=data["status"],
        amount=from_stripe_amount(int(data["amount"]), currency),
        currency=currency,
        created=int(data.get("created") or 0),
        client_secret=data.get("client_secret"),
        customer_id=object_id(data.get("customer")),
        payment_method_id=object_id(data.get("payment_method")),
        invoice_id=object_id(data.get("invoice")),
        latest_charge_id=object_id(latest),
        latest_charge=parse_charge(latest) if isinstance(latest, Mapping) else None,
        next_action_type=next_action.get("type"),
        last_error_code=error.get("code"),
        last_error_decline_code=error.get("decline_code"),
        last_error_message=error.get("message"),
        metadata=dict(data.get("metadata") or {}),
        receipt_email=data.get("receipt_email"),
    )


@dataclass(frozen=True)
class CardDetails:
    brand: str
    last4: str
    fingerprint: str
    exp_month: int | None
    exp_year: int | None


def parse_card(data: Mapping) -> CardDetails:
    """From a PaymentMethod (`card` inside) or a legacy Card object (fields at top level)."""
    nested = data.get("card")
    card: Mapping = nested if isinstance(nested, Mapping) else data
    return CardDetails(
        brand=str(card.get("brand") or "").lower(),
        last4=card.get("last4") or "",
        fingerprint=card.get("fingerprint") or "",
        exp_month=card.get("exp_month"),
        exp_year=card.get("exp_year"),
    )


@dataclass(frozen=True)
class PaymentMethod:
    id: str
    card: CardDetails
