"""Customers: the health check's ping, create, retrieve, and the default card subscriptions charge."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import stripe

from payments.gateway.connection import _call, client, probe_client, to_dict
from payments.gateway.shapes import Customer, parse_customer


def ping() -> None:
    """Raise GatewayError unless Stripe answers an authenticated request within the health check's
    short timeout, asked once: /healthz must answer quickly even when Stripe hangs."""
    _call("ping", probe_client().v1.customers.list, {"limit": 1})


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


def set_default_payment_method(*, customer_id: str, payment_method_id: str) -> Customer:
    """Subscriptions charge `invoice_settings.default_payment_method` (localstripe accepts only this)."""
    result = _call(
        "customer update",
        client().v1.customers.update,
        customer_id,
        {"invoice_settings": {"default_payment_method": payment_method_id}},
    )
    return parse_customer(to_dict(result))


def delete_customer(customer_id: str) -> None:
    """Delete the customer at Stripe, which erases its personal data there (charges stay, for accounting).

    Already deleted, or never known to this account, counts as done: a deletion that is retried must
    not fail on its own first half.
    """
    _call("customer delete", _delete_unless_gone, customer_id)


def _delete_unless_gone(customer_id: str) -> None:
    try:
        client().v1.customers.delete(customer_id)
    except stripe.InvalidRequestError as exc:
        if exc.http_status != 404:
            raise
