"""Changes to a running subscription (portal and staff), the same on Stripe and on localstripe.

The platform's policy: a change never charges or credits anything now (no proration); a new amount
applies from the next renewal; a pause pushes the next charge out with a trial. Stripe takes
`proration_behavior="none"`; localstripe (API 2017-08-15) answers 500 to that parameter, takes the
old `prorate=false` but ignores it, and shows trials differently: `localstripe_adapter` holds every
such difference, and the deletion of localstripe's proration credits below is the one more.
"""

from __future__ import annotations

from collections.abc import Mapping

from payments.gateway.billing import _with_first_payment, retrieve_subscription
from payments.gateway.billing_shapes import Subscription
from payments.gateway.connection import _call, client, to_dict
from payments.gateway.localstripe_adapter import is_offline_stripe, no_proration


def _modify(operation: str, subscription_id: str, params: dict, *, idempotency_key: str) -> Subscription:
    result = _call(
        operation,
        client().v1.subscriptions.update,
        subscription_id,
        {**params, "expand": ["latest_invoice"]},
        {"idempotency_key": idempotency_key},
    )
    return _with_first_payment(to_dict(result))


def change_subscription_plan(*, subscription_id: str, plan_id: str, idempotency_key: str) -> Subscription:
    """Move the subscription to another plan of the same interval; the next renewal charges it.

    localstripe books an "Unused time" credit for every earlier invoice of the subscription (its
    `prorate=false` is ignored); Stripe, with no proration, books nothing: those pending credits are
    deleted here so that the next invoice is the new amount on both.
    """
    current = retrieve_subscription(subscription_id)
    subscription = _modify(
        "subscription change plan",
        subscription_id,
        {"items": [{"id": current.item_id, "plan": plan_id}], **no_proration()},
        idempotency_key=idempotency_key,
    )
    if is_offline_stripe() and subscription.customer_id:
        _delete_pending_prorations(customer_id=subscription.customer_id, subscription_id=subscription_id)
    return subscription


def _delete_pending_prorations(*, customer_id: str, subscription_id: str) -> None:
    items = _call(
        "invoice item list", client().v1.invoice_items.list, {"customer": customer_id, "limit": 100}
    )
    for item in (to_dict(entry) for entry in items.data):
        if item.get("proration") and item.get("subscription") == subscription_id and not item.get("invoice"):
            _call("invoice item delete", client().v1.invoice_items.delete, item["id"])


def push_next_charge(*, subscription_id: str, charge_at: int | str, idempotency_key: str) -> Subscription:
    """Nothing is charged until `charge_at` (a timestamp, or "now"): how a pause is made on both."""
    return _modify(
        "subscription push next charge",
        subscription_id,
        {"trial_end": charge_at, **no_proration()},
        idempotency_key=idempotency_key,
    )


def set_cancel_at_period_end(*, subscription_id: str, cancel: bool, idempotency_key: str) -> Subscription:
    """Cancel when the paid period ends (True), or withdraw that cancellation (False)."""
    return _modify(
        "subscription cancel at period end",
        subscription_id,
        {"cancel_at_period_end": cancel},
        idempotency_key=idempotency_key,
    )


def create_subscription_from(
    *, customer_id: str, plan_id: str, first_charge_at: int, metadata: Mapping[str, str], idempotency_key: str
) -> Subscription:
    """A subscription whose first charge is at `first_charge_at` (a trial until then): a change of
    frequency starts its new cycle on the old subscription's renewal date, with nothing charged now."""
    result = _call(
        "subscription create",
        client().v1.subscriptions.create,
        {
            "customer": customer_id,
            "items": [{"plan": plan_id}],
            "trial_end": first_charge_at,
            "metadata": dict(metadata),
            "expand": ["latest_invoice"],
        },
        {"idempotency_key": idempotency_key},
    )
    return _with_first_payment(to_dict(result))


def create_setup_intent(*, customer_id: str, idempotency_key: str) -> tuple[str, str]:
    """A SetupIntent to save a new card for off-session renewals: (its id, the client secret)."""
    result = to_dict(
        _call(
            "setup intent create",
            client().v1.setup_intents.create,
            {"customer": customer_id, "usage": "off_session", "payment_method_types": ["card"]},
            {"idempotency_key": idempotency_key},
        )
    )
    return result["id"], result["client_secret"]


def retrieve_setup_intent(setup_intent_id: str) -> tuple[str, str | None, str | None]:
    """(status, payment method id, customer id) of a SetupIntent the reader just confirmed."""
    result = to_dict(_call("setup intent retrieve", client().v1.setup_intents.retrieve, setup_intent_id))
    method = result.get("payment_method")
    customer = result.get("customer")
    method_id = method.get("id") if isinstance(method, Mapping) else method
    customer_id = customer.get("id") if isinstance(customer, Mapping) else customer
    return result["status"], method_id, customer_id


def open_invoice_ids(*, subscription_id: str) -> list[str]:
    """The subscription's invoices still waiting to be paid (a failed renewal), oldest first."""
    listed = _call("invoice list", client().v1.invoices.list, {"subscription": subscription_id, "limit": 20})
    invoices = [to_dict(item) for item in listed.data]
    return [
        item["id"]
        for item in sorted(invoices, key=lambda i: i.get("created") or 0)
        if item.get("status") == "open"
    ]


def pay_open_invoice(*, invoice_id: str, idempotency_key: str) -> str:
    """Retry an open invoice now with the customer's default card; the invoice's status after it.

    A decline is an answer, not a failure: the invoice stays open and its status says so.
    """
    result = _call(
        "invoice pay", client().v1.invoices.pay, invoice_id, {}, {"idempotency_key": idempotency_key}
    )
    return str(to_dict(result).get("status") or "")
