"""Scripted Stripe activity on localstripe through the real SDK (the gateway's client)."""

import contextlib
import itertools

import stripe as stripe_sdk
from django.conf import settings

from membership.services import PLATFORM_METADATA
from payments import gateway

_keys = itertools.count(1)
CARD = {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}


DECLINED = "4000000000000341"


def card_payment_method(number: str = CARD["number"]) -> str:
    return gateway.client().v1.payment_methods.create({"type": "card", "card": {**CARD, "number": number}}).id


def paid_intent(*, amount: int = 2500, currency: str = "usd", metadata: dict | None = None, customer=None):
    """A one-off payment that succeeded; returns the intent's id."""
    stripe = gateway.client()
    params = {
        "amount": amount,
        "currency": currency,
        "payment_method_types": ["card"],
        "payment_method": card_payment_method(),
        "metadata": metadata or {},
    }
    if customer:
        params["customer"] = customer
    intent = stripe.v1.payment_intents.create(params)
    stripe.v1.payment_intents.confirm(intent.id)
    return intent.id


def customer_with_card(
    email: str = "member@example.org", name: str = "A Member", number: str = CARD["number"]
) -> str:
    stripe = gateway.client()
    customer = stripe.v1.customers.create({"email": email, "name": name})
    method = card_payment_method(number)
    stripe.v1.payment_methods.attach(method, {"customer": customer.id})
    stripe.v1.customers.update(customer.id, {"invoice_settings": {"default_payment_method": method}})
    return customer.id


def plan(*, amount: int = 1000, currency: str = "usd", interval: str = "month", product: str = "") -> str:
    """A plan of the platform's membership product, or of `product` (another product on the account)."""
    stripe = gateway.client()
    product_id = product or settings.MEMBERSHIP_STRIPE_PRODUCT_ID
    try:
        stripe.v1.products.retrieve(product_id)
    except stripe_sdk.InvalidRequestError:
        stripe.v1.products.create({"id": product_id, "name": f"Product {next(_keys)}"})
    return stripe.v1.plans.create(
        {"amount": amount, "currency": currency, "interval": interval, "product": product_id}
    ).id


def subscription(*, customer: str, plan_id: str, ours: bool = True) -> str:
    """An active subscription (marked as the platform marks its own unless `ours` is False);
    localstripe charges its first invoice at once."""
    metadata = PLATFORM_METADATA if ours else {}
    return (
        gateway.client()
        .v1.subscriptions.create({"customer": customer, "items": [{"plan": plan_id}], "metadata": metadata})
        .id
    )


def renewal_invoice(*, customer: str, subscription_id: str) -> str:
    """A second invoice of the subscription, paid now (localstripe cannot advance time)."""
    stripe = gateway.client()
    invoice = stripe.v1.invoices.create({"customer": customer, "subscription": subscription_id})
    stripe.v1.invoices.pay(invoice.id)
    return invoice.id


def refund(*, payment_intent: str, amount: int | None = None) -> str:
    params = {"payment_intent": payment_intent}
    if amount is not None:
        params["amount"] = amount
    return gateway.client().v1.refunds.create(params).id


def events(event_type: str | None = None) -> list[dict]:
    """localstripe's event log (oldest first) as plain dicts, optionally of one type."""
    listed = gateway.client().v1.events.list({"limit": 100})
    found = [gateway.to_dict(item) for item in listed.data]
    return [e for e in found if event_type is None or e["type"] == event_type]


def charge_of(payment_intent: str) -> dict:
    intent = gateway.client().v1.payment_intents.retrieve(payment_intent)
    charge_id = gateway.object_id(intent.latest_charge)
    return gateway.to_dict(gateway.client().v1.charges.retrieve(charge_id))


def card_as_default(*, customer: str, number: str = CARD["number"]) -> str:
    """The reader's new card, attached and made the default that invoices charge."""
    stripe = gateway.client()
    method = card_payment_method(number)
    stripe.v1.payment_methods.attach(method, {"customer": customer})
    stripe.v1.customers.update(customer, {"invoice_settings": {"default_payment_method": method}})
    return method


def failed_renewal_invoice(*, customer: str, subscription_id: str) -> str:
    """A renewal invoice that the card on file declines: left open, its intent unpaid."""
    card_as_default(customer=customer, number=DECLINED)
    stripe = gateway.client()
    invoice = stripe.v1.invoices.create({"customer": customer, "subscription": subscription_id})
    with contextlib.suppress(stripe_sdk.CardError):  # declined, as the renewal was
        stripe.v1.invoices.pay(invoice.id)
    return invoice.id


def pay_with_new_card(*, customer: str, invoice_id: str) -> None:
    """The reader updates the card and the open invoice is retried: paid."""
    card_as_default(customer=customer)
    gateway.client().v1.invoices.pay(invoice_id)
