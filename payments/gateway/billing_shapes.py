"""Frozen dataclasses and parsers for billing objects: plans, subscriptions and invoices.

Pure functions (no `stripe` import); the package re-exports them. Each accepts localstripe's
2017-08-15 shapes and today's shapes. Amounts are converted to our minor units here, as in `shapes`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from payments.gateway.amounts import from_stripe_amount
from payments.gateway.shapes import PaymentIntent, object_id, parse_payment_intent

# The one translation between Stripe's billing intervals and our frequency words.
FREQUENCY_OF_INTERVAL = {"month": "monthly", "year": "annual"}
INTERVAL_OF_FREQUENCY = {frequency: interval for interval, frequency in FREQUENCY_OF_INTERVAL.items()}


@dataclass(frozen=True)
class Plan:
    id: str
    amount: int
    currency: str
    interval: str
    product_id: str | None


def parse_plan(data: Mapping) -> Plan:
    currency = str(data["currency"]).upper()
    return Plan(
        id=data["id"],
        amount=from_stripe_amount(int(data["amount"]), currency),
        currency=currency,
        interval=data["interval"],
        product_id=object_id(data.get("product")),
    )


@dataclass(frozen=True)
class Subscription:
    id: str
    status: str
    customer_id: str | None
    plan_id: str | None
    product_id: str | None
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
    trial_end: int | None = None
    item_id: str | None = None


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
    currency = str(data.get("currency") or plan.get("currency") or price.get("currency") or "").upper()
    return Subscription(
        id=data["id"],
        status=data["status"],
        customer_id=object_id(data.get("customer")),
        plan_id=plan.get("id") or price.get("id"),
        product_id=object_id(plan.get("product") or price.get("product")),
        amount=None if amount is None else from_stripe_amount(int(amount) * int(quantity), currency),
        currency=currency,
        interval=plan.get("interval") or recurring.get("interval"),
        created=int(data.get("created") or 0),
        current_period_end=period_end,
        cancel_at_period_end=bool(data.get("cancel_at_period_end")),
        canceled_at=data.get("canceled_at"),
        ended_at=data.get("ended_at"),
        latest_invoice_id=object_id(latest_invoice),
        latest_invoice_payment_intent=latest_pi,
        metadata=dict(data.get("metadata") or {}),
        trial_end=data.get("trial_end"),
        item_id=first_item.get("id"),
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
    currency = str(data.get("currency") or "").upper()
    return Invoice(
        id=data["id"],
        status=status,
        amount_paid=from_stripe_amount(int(amount_paid or 0), currency),
        currency=currency,
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
