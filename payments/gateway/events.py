"""Webhook verification, and listing objects (events, payouts, ...) for reconciliation and import."""

from __future__ import annotations

import json
from typing import Any

import stripe
from django.conf import settings

from payments.gateway.billing_shapes import parse_invoice, parse_subscription
from payments.gateway.connection import _call, _paginate, client, logger
from payments.gateway.errors import GatewayError
from payments.gateway.shapes import (
    BalanceTransaction,
    Event,
    parse_balance_transaction,
    parse_customer,
    parse_event,
    parse_payment_intent,
    parse_payout,
    parse_refund,
)


class InvalidWebhookError(GatewayError):
    """The webhook body is not signed by our endpoint secret, too old, or not a Stripe event."""


class MalformedEventError(InvalidWebhookError):
    """Signed by our secret, yet not an event we can use: worth a log line (it is no attacker's noise)."""


def verify_webhook(payload: bytes, signature: str) -> Event:
    """Check the Stripe-Signature header with the SDK (secret and tolerance from settings), then parse.

    Raises InvalidWebhookError for a missing or wrong signature, a timestamp outside the tolerance, or a
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
        raise InvalidWebhookError(f"invalid Stripe-Signature: {exc.user_message or exc}") from exc
    except ValueError as exc:  # a body that is not UTF-8 text
        raise InvalidWebhookError(f"unreadable body: {exc}") from exc
    try:
        return parse_event(json.loads(payload))
    except (ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep to read
        raise MalformedEventError(f"not a usable Stripe event: {exc}") from exc


def list_payout_balance_transactions(payout_id: str) -> list[BalanceTransaction]:
    """What a payout settled; GatewayError where the API cannot filter by payout (localstripe)."""
    return [
        parse_balance_transaction(data)
        for data in _paginate(
            "payout balance transactions",
            client().v1.balance_transactions.list,
            {"payout": payout_id},
        )
    ]


LISTS = {
    # kind: (client attribute, parser, extra list params)
    "customers": ("customers", parse_customer, {}),
    "subscriptions": ("subscriptions", parse_subscription, {"status": "all"}),
    "payment_intents": ("payment_intents", parse_payment_intent, {}),
    "invoices": ("invoices", parse_invoice, {}),
    "refunds": ("refunds", parse_refund, {}),
    "events": ("events", parse_event, {}),
    "payouts": ("payouts", parse_payout, {}),
}


def list_objects(kind: str, *, created_gte: int | None = None, starting_after: str | None = None):
    """Yield parsed objects of one kind, created at or after `created_gte`, resumable by id.

    Real Stripe filters by `created[gte]`; localstripe refuses that filter on most lists (400), so
    the adapter retries without it. Filtering happens here too, so both behave the same.
    """
    attribute, parser, extra = LISTS[kind]
    list_fn = getattr(client().v1, attribute).list
    params: dict[str, Any] = dict(extra)
    if created_gte is not None:
        try:
            _call(f"{kind} list", list_fn, {**params, "created": {"gte": created_gte}, "limit": 1})
            params["created"] = {"gte": created_gte}
        except GatewayError:
            logger.info("Stripe %s list refuses created[gte]; filtering client-side", kind)
    for data in _paginate(f"{kind} list", list_fn, params, starting_after):
        if created_gte is None or int(data.get("created") or data.get("date") or 0) >= created_gte:
            yield parser(data)
