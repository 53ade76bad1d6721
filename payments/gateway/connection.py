"""The Stripe client built from settings, and the helpers every call goes through (errors: `errors`)."""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any

import stripe
from django.conf import settings

from payments.gateway.errors import CardError, GatewayError
from payments.gateway.shapes import object_id

# One logger for the whole package, named as it was before the split.
logger = logging.getLogger("payments.gateway")


@functools.lru_cache(maxsize=4)
def _build_client(
    api_key: str, api_base: str | None, api_version: str, timeout: int, retries: int
) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        stripe_version=api_version,
        base_addresses={"api": api_base} if api_base else None,
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


def _paginate(operation: str, list_fn, params: Mapping, starting_after: str | None = None):
    """Yield every object of a Stripe list as a dict, page by page (100 a page), from `starting_after`."""
    cursor = starting_after
    while True:
        page_params = {**params, "limit": 100}
        if cursor:
            page_params["starting_after"] = cursor
        page = _call(operation, list_fn, page_params)
        items = [to_dict(item) for item in page.data]
        yield from items
        if not page.has_more or not items:
            return
        cursor = items[-1]["id"]
