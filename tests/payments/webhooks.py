"""Helpers for webhook tests: Stripe-shaped events, signed exactly as Stripe signs them."""

import itertools
import json
import time

import stripe
from django.conf import settings

_ids = itertools.count(1)


def make_event(
    event_type: str,
    data_object: dict,
    *,
    event_id: str | None = None,
    created: int | None = None,
    livemode: bool = False,
    api_version: str = "2026-10-28.endive",
) -> dict:
    return {
        "id": event_id or f"evt_test_{next(_ids):06d}",
        "object": "event",
        "type": event_type,
        "created": created if created is not None else int(time.time()),
        "livemode": livemode,
        "api_version": api_version,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "data": {"object": data_object},
    }


def sign(body: str, *, secret: str | None = None, timestamp: int | None = None) -> str:
    return stripe.WebhookSignature.generate_signature_header(
        body, secret or settings.STRIPE_WEBHOOK_SECRET, timestamp=timestamp
    )


def deliver(client, event: dict | str, *, signature: str | None = None, **extra):
    """POST an event to the webhook as Stripe would (signed with our secret unless told otherwise)."""
    body = event if isinstance(event, str) else json.dumps(event)
    headers = {"HTTP_STRIPE_SIGNATURE": signature if signature is not None else sign(body)}
    return client.post("/stripe/webhook", data=body, content_type="application/json", **headers, **extra)
