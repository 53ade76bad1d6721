"""Today's Stripe shapes for membership tests: subscriptions and invoices from tests/fixtures/stripe/."""

from django.conf import settings

from membership.services import PLATFORM_METADATA
from tests.stripe_fixtures import stripe_object


def subscription_payload(
    *,
    subscription_id: str,
    customer: str,
    status: str = "active",
    amount: int = 1000,
    currency: str = "usd",
    interval: str = "month",
    created: int,
    period_end: int,
    cancel_at_period_end: bool = False,
    canceled_at: int | None = None,
    ended_at: int | None = None,
    latest_invoice: str | None = None,
    product: str | None = None,
    metadata: dict | None = None,
) -> dict:
    """A subscription as Stripe sends it today: its price and period on its one item, no `plan` amount."""
    data = stripe_object("subscription")
    item = data["items"]["data"][0]
    item["plan"] = None
    item["current_period_end"] = period_end
    item["quantity"] = 1
    item["price"].update(
        {
            "id": f"price_{amount}_{currency}_{interval}",
            "unit_amount": amount,
            "currency": currency,
            "product": product or settings.MEMBERSHIP_STRIPE_PRODUCT_ID,
            "recurring": {**item["price"]["recurring"], "interval": interval, "interval_count": 1},
        }
    )
    data.update(
        {
            "id": subscription_id,
            "customer": customer,
            "status": status,
            "currency": currency,
            "created": created,
            "start_date": created,
            "cancel_at_period_end": cancel_at_period_end,
            "cancel_at": period_end if cancel_at_period_end else None,
            "canceled_at": canceled_at,
            "ended_at": ended_at,
            "latest_invoice": latest_invoice,
            "metadata": PLATFORM_METADATA if metadata is None else metadata,
        }
    )
    return data


def invoice_payload(
    *,
    invoice_id: str,
    customer: str,
    subscription_id: str,
    status: str,
    amount: int = 1000,
    currency: str = "usd",
    created: int,
    paid_at: int | None = None,
    billing_reason: str = "subscription_cycle",
) -> dict:
    """An invoice as Stripe sends it today: its subscription under `parent`, no payment_intent on it."""
    data = stripe_object("invoice")
    data.update(
        {
            "id": invoice_id,
            "customer": customer,
            "status": status,
            "currency": currency,
            "amount_due": amount,
            "amount_paid": amount if status == "paid" else 0,
            "amount_remaining": 0 if status == "paid" else amount,
            "total": amount,
            "subtotal": amount,
            "created": created,
            "billing_reason": billing_reason,
            "subscription": None,
            "parent": {
                "type": "subscription_details",
                "quote_details": None,
                "subscription_details": {"metadata": PLATFORM_METADATA, "subscription": subscription_id},
            },
            "status_transitions": {**data["status_transitions"], "paid_at": paid_at},
        }
    )
    return data
