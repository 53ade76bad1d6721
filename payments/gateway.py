"""The only module that talks to Stripe: builds the client from settings, returns frozen dataclasses.

Parsing accepts both the shapes of localstripe (API 2017-08-15) and today's Stripe shapes, so no
other module reads Stripe objects. Money-moving calls take an idempotency key derived from our rows.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.conf import settings

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
