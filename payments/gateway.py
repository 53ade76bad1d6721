"""The only module that talks to Stripe: builds the client from settings, returns frozen dataclasses.

Parsing accepts both the shapes of localstripe (API 2017-08-15) and today's Stripe shapes, so no
other module reads Stripe objects. Money-moving calls take an idempotency key derived from our rows.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.conf import settings

from payments.gateway_shapes import Event, parse_event

logger = logging.getLogger(__name__)


class GatewayError(Exception):
    """Stripe could not be reached or refused the request for a reason that is not the card's."""


class CardError(GatewayError):
    """The card was declined (or failed authentication); the message is safe to show a reader."""

    def __init__(
        self,
        message: str,
        *,
        code: str = "card_declined",
        decline_code: str | None = None,
        payment_intent_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.decline_code = decline_code
        self.payment_intent_id = payment_intent_id


@functools.lru_cache(maxsize=4)
def _build_client(
    api_key: str, api_base: str | None, api_version: str, timeout: int, retries: int
) -> stripe.StripeClient:
    base_addresses = {"api": api_base} if api_base else None
    return stripe.StripeClient(
        api_key,
        stripe_version=api_version,
        base_addresses=base_addresses,
        max_network_retries=retries,
        http_client=stripe.RequestsClient(timeout=timeout),
    )


def client() -> stripe.StripeClient:
    """The Stripe client for the current settings (tests may point STRIPE_API_BASE elsewhere)."""
    return _build_client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_API_VERSION,
        settings.STRIPE_TIMEOUT_SECONDS,
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def to_dict(obj: Any) -> dict:
    """A plain dict from a StripeObject (or a dict, as webhook payloads are)."""
    if obj is None:
        return {}
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict()
    return dict(obj)


def object_id(value: Any) -> str | None:
    """The id of a field that is either an id string or an expanded object (Stripe expands some)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        return value.get("id")
    return getattr(value, "id", None)


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


def _call(operation: str, fn, *args, **kwargs):
    """Run one SDK call, turning SDK errors into our two error types."""
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        error = exc.error
        raise CardError(
            exc.user_message or str(exc),
            code=getattr(error, "code", None) or "card_declined",
            decline_code=getattr(error, "decline_code", None),
            payment_intent_id=object_id(getattr(error, "payment_intent", None)),
        ) from exc
    except stripe.StripeError as exc:
        logger.warning("Stripe %s failed: %s", operation, exc)
        raise GatewayError(f"Stripe {operation} failed: {exc.user_message or exc}") from exc


def ping() -> None:
    """Raise GatewayError unless Stripe answers an authenticated request."""
    _call("ping", client().v1.customers.list, {"limit": 1})


def create_customer(
    *, email: str, name: str = "", metadata: Mapping[str, str] | None = None, idempotency_key: str
) -> Customer:
    params: dict[str, Any] = {"email": email, "metadata": dict(metadata or {})}
    if name:
        params["name"] = name
    result = _call(
        "customer create",
        client().v1.customers.create,
        params,
        {"idempotency_key": idempotency_key},
    )
    return parse_customer(to_dict(result))


def retrieve_customer(customer_id: str) -> Customer:
    return parse_customer(to_dict(_call("customer retrieve", client().v1.customers.retrieve, customer_id)))


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
    return Charge(
        id=data["id"],
        amount=int(data["amount"]),
        amount_refunded=int(data.get("amount_refunded") or 0),
        currency=str(data["currency"]).upper(),
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


def parse_payment_intent(data: Mapping) -> PaymentIntent:
    """Old shape: `latest_charge` (or `charges.data`) is a whole object; today it is an id."""
    latest = data.get("latest_charge")
    if latest is None:
        old_charges = ((data.get("charges") or {}).get("data")) or []
        latest = old_charges[-1] if old_charges else None
    error = data.get("last_payment_error") or {}
    next_action = data.get("next_action") or {}
    return PaymentIntent(
        id=data["id"],
        status=data["status"],
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
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
    card = data.get("card") if isinstance(data.get("card"), Mapping) else data
    return CardDetails(
        brand=str(card.get("brand") or "").lower(),
        last4=card.get("last4") or "",
        fingerprint=card.get("fingerprint") or "",
        exp_month=card.get("exp_month"),
        exp_year=card.get("exp_year"),
    )


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
        "charge retrieve", client().v1.charges.retrieve, charge_id, {"expand": ["balance_transaction"]}
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


@dataclass(frozen=True)
class Subscription:
    id: str
    status: str
    customer_id: str | None
    plan_id: str | None
    amount: int | None
    currency: str
    interval: str | None
    created: int
    current_period_end: int | None
    cancel_at_period_end: bool
    canceled_at: int | None
    ended_at: int | None
    latest_invoice_id: str | None
    latest_invoice_payment_intent: PaymentIntent | None
    metadata: dict = field(default_factory=dict)


def parse_subscription(data: Mapping) -> Subscription:
    """Old shape: `plan` and `current_period_end` on the subscription; today: on its items."""
    items = ((data.get("items") or {}).get("data")) or []
    first_item = items[0] if items else {}
    plan = data.get("plan") or first_item.get("plan") or {}
    price = first_item.get("price") or {}
    recurring = price.get("recurring") or {}
    amount = plan.get("amount")
    if amount is None:
        amount = price.get("unit_amount")
    quantity = first_item.get("quantity") or data.get("quantity") or 1
    period_end = data.get("current_period_end") or first_item.get("current_period_end")
    latest_invoice = data.get("latest_invoice")
    latest_pi = None
    if isinstance(latest_invoice, Mapping) and isinstance(latest_invoice.get("payment_intent"), Mapping):
        latest_pi = parse_payment_intent(latest_invoice["payment_intent"])
    currency = data.get("currency") or plan.get("currency") or price.get("currency") or ""
    return Subscription(
        id=data["id"],
        status=data["status"],
        customer_id=object_id(data.get("customer")),
        plan_id=plan.get("id") or price.get("id"),
        amount=None if amount is None else int(amount) * int(quantity),
        currency=str(currency).upper(),
        interval=plan.get("interval") or recurring.get("interval"),
        created=int(data.get("created") or 0),
        current_period_end=period_end,
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        canceled_at=data.get("canceled_at"),
        ended_at=data.get("ended_at"),
        latest_invoice_id=object_id(latest_invoice),
        latest_invoice_payment_intent=latest_pi,
        metadata=dict(data.get("metadata") or {}),
    )


def retrieve_subscription(subscription_id: str) -> Subscription:
    result = _call(
        "subscription retrieve",
        client().v1.subscriptions.retrieve,
        subscription_id,
        {"expand": ["latest_invoice.payment_intent"]},
    )
    return parse_subscription(to_dict(result))


class InvalidWebhook(GatewayError):
    """The webhook body is not signed by our endpoint secret, too old, or not a Stripe event."""


def verify_webhook(payload: bytes, signature: str) -> Event:
    """Check the Stripe-Signature header with the SDK (secret and tolerance from settings), then parse.

    Raises InvalidWebhook for a missing or wrong signature, a timestamp outside the tolerance, or a
    body that is not a JSON Stripe event; nothing about the body is trusted before this returns.
    """
    try:
        stripe.WebhookSignature.verify_header(
            payload,
            signature or "",
            settings.STRIPE_WEBHOOK_SECRET,
            settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS,
        )
    except stripe.SignatureVerificationError as exc:
        raise InvalidWebhook(f"invalid Stripe-Signature: {exc.user_message or exc}") from exc
    except ValueError as exc:  # a body that is not UTF-8 text
        raise InvalidWebhook(f"unreadable body: {exc}") from exc
    try:
        return parse_event(json.loads(payload))
    except ValueError as exc:
        raise InvalidWebhook(f"not a Stripe event: {exc}") from exc
