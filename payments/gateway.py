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

from payments.gateway_shapes import (
    BalanceTransaction,
    Event,
    Invoice,
    Refund,
    object_id,
    parse_balance_transaction,
    parse_event,
    parse_invoice,
    parse_invoice_payment_intent_ids,
    parse_refund,
)

# Shapes only the handlers parse (webhook payloads carry the whole object): re-exported for them.
from payments.gateway_shapes import Dispute as Dispute
from payments.gateway_shapes import Payout as Payout
from payments.gateway_shapes import parse_dispute as parse_dispute
from payments.gateway_shapes import parse_payout as parse_payout

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
    receipt_email: str | None = None


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


# Checkout: intents, saved cards, plans and subscriptions. Each money-moving call takes our key.

INTENT_EXPAND = ["latest_charge.balance_transaction"]


def create_payment_intent(
    *,
    amount: int,
    currency: str,
    payment_method_id: str,
    customer_id: str | None = None,
    metadata: Mapping[str, str] | None = None,
    idempotency_key: str,
) -> PaymentIntent:
    """Create without confirming: a decline on `create(confirm=True)` would lose the intent's id."""
    params: dict[str, Any] = {
        "amount": amount,
        "currency": currency.lower(),
        "payment_method": payment_method_id,
        "payment_method_types": ["card"],
        "metadata": dict(metadata or {}),
    }
    if customer_id:
        params["customer"] = customer_id
    result = _call(
        "payment intent create",
        client().v1.payment_intents.create,
        params,
        {"idempotency_key": idempotency_key},
    )
    return parse_payment_intent(to_dict(result))


def confirm_payment_intent(payment_intent_id: str, *, idempotency_key: str) -> PaymentIntent:
    """Confirm server-side; a decline raises CardError carrying the intent's id."""
    try:
        result = _call(
            "payment intent confirm",
            client().v1.payment_intents.confirm,
            payment_intent_id,
            {"expand": INTENT_EXPAND},
            {"idempotency_key": idempotency_key},
        )
    except CardError as exc:
        exc.payment_intent_id = exc.payment_intent_id or payment_intent_id
        raise
    return parse_payment_intent(to_dict(result))


def attach_payment_method(*, payment_method_id: str, customer_id: str, idempotency_key: str) -> CardDetails:
    """Save a card on a customer so it can pay again (Stripe checks it here: a CardError may follow)."""
    result = _call(
        "payment method attach",
        client().v1.payment_methods.attach,
        payment_method_id,
        {"customer": customer_id},
        {"idempotency_key": idempotency_key},
    )
    return parse_card(to_dict(result))


def set_default_payment_method(*, customer_id: str, payment_method_id: str) -> Customer:
    """Subscriptions charge `invoice_settings.default_payment_method` (localstripe accepts only this)."""
    result = _call(
        "customer update",
        client().v1.customers.update,
        customer_id,
        {"invoice_settings": {"default_payment_method": payment_method_id}},
    )
    return parse_customer(to_dict(result))


PLAN_INTERVAL_WORDS = {"month": "monthly", "year": "annual"}


@dataclass(frozen=True)
class Plan:
    id: str
    amount: int
    currency: str
    interval: str
    product_id: str | None


def parse_plan(data: Mapping) -> Plan:
    return Plan(
        id=data["id"],
        amount=int(data["amount"]),
        currency=str(data["currency"]).upper(),
        interval=data["interval"],
        product_id=object_id(data.get("product")),
    )


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
    """One Plan per amount, currency and interval (`plan_monthly_usd_1000`): localstripe has no Prices."""
    stripe_client = client()
    _get_or_create("product create", stripe_client.v1.products, product_id, {"name": product_name})
    plan_id = f"plan_{PLAN_INTERVAL_WORDS[interval]}_{currency.lower()}_{amount}"
    data = _get_or_create(
        "plan create",
        stripe_client.v1.plans,
        plan_id,
        {"amount": amount, "currency": currency.lower(), "interval": interval, "product": product_id},
    )
    return parse_plan(data)


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
            "expand": ["latest_invoice.payment_intent"],
        },
        {"idempotency_key": idempotency_key},
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


def retrieve_invoice(invoice_id: str) -> Invoice:
    return parse_invoice(to_dict(_call("invoice retrieve", client().v1.invoices.retrieve, invoice_id)))


def invoice_payment_intent_id(invoice: Invoice) -> str | None:
    """The intent that paid an invoice: on the invoice in old shapes; today in its InvoicePayments.

    localstripe (2017-08-15) has no /v1/invoice_payments: an invoice there always names its intent.
    """
    if invoice.payment_intent_id:
        return invoice.payment_intent_id
    if invoice.charge_id:
        return retrieve_charge(invoice.charge_id).payment_intent_id
    try:
        result = client().v1.invoice_payments.list({"invoice": invoice.id, "limit": 10})
    except stripe.StripeError as exc:
        logger.warning("Stripe invoice payments list for %s failed: %s", invoice.id, exc)
        return None
    intents = parse_invoice_payment_intent_ids([to_dict(item) for item in result.data])
    return intents[0] if intents else None


def retrieve_refund(refund_id: str) -> Refund:
    result = _call(
        "refund retrieve", client().v1.refunds.retrieve, refund_id, {"expand": ["balance_transaction"]}
    )
    return parse_refund(to_dict(result))


def list_charge_refunds(charge_id: str) -> list[Refund]:
    """Every refund of a charge (today's charge objects no longer embed them)."""
    return [
        parse_refund(data)
        for data in _paginate("refund list", client().v1.refunds.list, {"charge": charge_id})
    ]


def create_refund(
    *, payment_intent_id: str, amount: int, idempotency_key: str, metadata: Mapping[str, str]
) -> Refund:
    """Money out: the idempotency key comes from our RefundRequest row, so a retry never refunds twice."""
    result = _call(
        "refund create",
        client().v1.refunds.create,
        {"payment_intent": payment_intent_id, "amount": amount, "metadata": dict(metadata)},
        {"idempotency_key": idempotency_key},
    )
    return parse_refund(to_dict(result))


def list_payout_balance_transactions(payout_id: str) -> list[BalanceTransaction]:
    """What a payout settled; GatewayError where the API cannot filter by payout (localstripe)."""
    return [
        parse_balance_transaction(data)
        for data in _paginate(
            "payout balance transactions", client().v1.balance_transactions.list, {"payout": payout_id}
        )
    ]


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
    params = dict(extra)
    if created_gte is not None:
        try:
            _call(f"{kind} list", list_fn, {**params, "created": {"gte": created_gte}, "limit": 1})
            params["created"] = {"gte": created_gte}
        except GatewayError:
            logger.info("Stripe %s list refuses created[gte]; filtering client-side", kind)
    for data in _paginate(f"{kind} list", list_fn, params, starting_after):
        if created_gte is None or int(data.get("created") or data.get("date") or 0) >= created_gte:
            yield parser(data)


# The demo's stand-in for Stripe.js (payments/offline_stripe.py): raw card numbers, offline Stripe only.


class OfflineOnlyError(GatewayError):
    """Raw card numbers were about to be sent to real Stripe; only an offline Stripe may receive them."""


@dataclass(frozen=True)
class PaymentMethod:
    id: str
    card: CardDetails


def create_card_payment_method_offline(
    *, number: str, exp_month: int, exp_year: int, cvc: str
) -> PaymentMethod:
    """What Stripe.js does in the browser on stripe.com, done server side for localstripe's stand-in.

    Refuses unless STRIPE_API_BASE points at an offline Stripe, so raw numbers never reach real Stripe.
    """
    if not settings.STRIPE_API_BASE or settings.STRIPE_LIVEMODE:
        raise OfflineOnlyError(
            "Raw card numbers are only sent to an offline Stripe (STRIPE_API_BASE is unset)"
        )
    params = {
        "type": "card",
        "card": {"number": number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc},
    }
    try:
        result = _call("payment method create", client().v1.payment_methods.create, params)
    except GatewayError as exc:
        # localstripe reports a refused card (e.g. `invalid_expiry_year`) as an invalid request with a code.
        invalid = exc.__cause__
        code = getattr(getattr(invalid, "error", None), "code", None)
        if isinstance(invalid, stripe.InvalidRequestError) and code:
            raise CardError(invalid.user_message or str(invalid), code=code) from invalid
        raise
    data = to_dict(result)
    return PaymentMethod(id=data["id"], card=parse_card(data))
