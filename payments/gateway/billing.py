"""Memberships' side of Stripe: plans (and their product), subscriptions, invoices and what paid them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import stripe

from payments.gateway.amounts import to_stripe_amount
from payments.gateway.billing_shapes import (
    FREQUENCY_OF_INTERVAL,
    Invoice,
    Plan,
    Subscription,
    parse_invoice,
    parse_invoice_payment_intent_ids,
    parse_plan,
    parse_subscription,
)
from payments.gateway.connection import _call, client, logger, to_dict
from payments.gateway.errors import GatewayError
from payments.gateway.intents import retrieve_charge, retrieve_payment_intent
from payments.gateway.localstripe_adapter import subscription_as_stripe_reports


def _retrieve_or_none(operation: str, fn, object_id_: str):
    try:
        return fn(object_id_)
    except stripe.InvalidRequestError as exc:
        if exc.http_status == 404:
            return None
        raise GatewayError(f"Stripe {operation} failed: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:
        raise GatewayError(f"Stripe {operation} failed: {exc.user_message or exc}") from exc


def _get_or_create(operation: str, resource, object_id_: str, params: dict) -> dict:
    """Retrieve by our deterministic id, else create it; a concurrent creator wins and we read theirs."""
    existing = _retrieve_or_none(operation, resource.retrieve, object_id_)
    if existing is not None:
        return to_dict(existing)
    try:
        return to_dict(_call(operation, resource.create, {"id": object_id_, **params}))
    except GatewayError:
        existing = _retrieve_or_none(operation, resource.retrieve, object_id_)
        if existing is None:
            raise
        return to_dict(existing)


def get_or_create_plan(
    *, amount: int, currency: str, interval: str, product_id: str, product_name: str
) -> Plan:
    """One Plan per amount, currency and interval (`plan_monthly_usd_1000`): localstripe has no Prices.

    `amount` is in our minor units; the plan (and its id) carries Stripe's integer for it, so the id
    reads as the plan's own `amount` at Stripe (ISK 5,000 is `plan_monthly_isk_500000`).
    AmountNotAcceptedError, before any call, for an amount Stripe would refuse.
    """
    stripe_amount = to_stripe_amount(amount, currency)
    stripe_client = client()
    _get_or_create("product create", stripe_client.v1.products, product_id, {"name": product_name})
    plan_id = f"plan_{FREQUENCY_OF_INTERVAL[interval]}_{currency.lower()}_{stripe_amount}"
    data = _get_or_create(
        "plan create",
        stripe_client.v1.plans,
        plan_id,
        {"amount": stripe_amount, "currency": currency.lower(), "interval": interval, "product": product_id},
    )
    return parse_plan(data)


def retrieve_subscription(subscription_id: str) -> Subscription:
    result = _call(
        "subscription retrieve",
        client().v1.subscriptions.retrieve,
        subscription_id,
        {"expand": ["latest_invoice"]},
    )
    return _with_first_payment(to_dict(result))


def create_subscription(
    *, customer_id: str, plan_id: str, metadata: Mapping[str, str] | None = None, idempotency_key: str
) -> Subscription:
    """Start charging the customer's default card; the first invoice's intent tells how it went."""
    result = _call(
        "subscription create",
        client().v1.subscriptions.create,
        {
            "customer": customer_id,
            "items": [{"plan": plan_id}],
            "metadata": dict(metadata or {}),
            "expand": ["latest_invoice"],
        },
        {"idempotency_key": idempotency_key},
    )
    return _with_first_payment(to_dict(result))


def _with_first_payment(data: Mapping) -> Subscription:
    """The subscription with the intent that paid (or tries to pay) its latest invoice.

    Not by expanding `latest_invoice.payment_intent`: today's API has no such field (Stripe refuses the
    expansion) and puts the intent in the invoice's payments; localstripe (2017-08-15) names it on the
    invoice. `invoice_payment_intent_id` reads whichever shape Stripe answered in.
    """
    data = subscription_as_stripe_reports(data)
    subscription = parse_subscription(data)
    if subscription.latest_invoice_payment_intent is not None or not subscription.latest_invoice_id:
        return subscription
    latest = data.get("latest_invoice")
    invoice = (
        parse_invoice(latest)
        if isinstance(latest, Mapping)
        else retrieve_invoice(subscription.latest_invoice_id)
    )
    intent_id = invoice_payment_intent_id(invoice)
    if intent_id is None:
        return subscription
    return replace(subscription, latest_invoice_payment_intent=retrieve_payment_intent(intent_id))


def subscription_from_payload(data: Mapping) -> Subscription:
    """A subscription from a webhook payload, as Stripe reports it (see `localstripe_adapter`)."""
    return parse_subscription(subscription_as_stripe_reports(data))


def retrieve_invoice(invoice_id: str) -> Invoice:
    return parse_invoice(to_dict(_call("invoice retrieve", client().v1.invoices.retrieve, invoice_id)))


def invoice_payment_intent_id(invoice: Invoice) -> str | None:
    """The intent that paid an invoice: on the invoice in old shapes; today in its InvoicePayments.

    localstripe (2017-08-15) has no /v1/invoice_payments (404): there the invoice itself, fetched,
    names its intent, so an event in today's shape resolves against it too.
    """
    if invoice.payment_intent_id:
        return invoice.payment_intent_id
    if invoice.charge_id:
        return retrieve_charge(invoice.charge_id).payment_intent_id
    try:
        result = client().v1.invoice_payments.list({"invoice": invoice.id, "limit": 10})
    except stripe.StripeError as exc:
        if exc.http_status == 404:
            found = _retrieve_or_none("invoice retrieve", client().v1.invoices.retrieve, invoice.id)
            return parse_invoice(to_dict(found)).payment_intent_id if found is not None else None
        logger.warning("Stripe invoice payments list for %s failed: %s", invoice.id, exc)
        return None
    intents = parse_invoice_payment_intent_ids([to_dict(item) for item in result.data])
    return intents[0] if intents else None


def cancel_subscription(subscription_id: str, *, idempotency_key: str) -> Subscription:
    """Cancel now (the grace period ran out); a subscription already canceled counts as done.

    Stripe refuses to cancel a canceled subscription, so on any refusal the subscription is fetched:
    canceled is success, anything else is the GatewayError it was. Safe to call twice.
    """
    try:
        result = _call(
            "subscription cancel",
            client().v1.subscriptions.cancel,
            subscription_id,
            {"expand": ["latest_invoice"]},
            {"idempotency_key": idempotency_key},
        )
    except GatewayError:
        current = retrieve_subscription(subscription_id)
        if current.status == "canceled":
            return current
        raise
    return _with_first_payment(to_dict(result))
