"""One small handler per Stripe event type; each is idempotent and safe in any order.

A handler returns a short note for the processing history, or raises EventIgnored when the event
concerns nothing of ours. Handlers never trust arrival order: they compare with what is stored
(Stripe timestamps) or fetch the current object from Stripe through the gateway.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from django.conf import settings

from membership.services import membership_apply_subscription
from payments import gateway, services
from payments.webhooks.processing import EventIgnored

Handler = Callable[[gateway.Event], str]


def _observed_at(event: gateway.Event) -> datetime:
    return datetime.fromtimestamp(event.created, tz=UTC)


def payment_intent_changed(event: gateway.Event) -> str:
    """Fetch the intent (with its charge and balance transaction) so the ledger gets settlement data."""
    intent = gateway.retrieve_payment_intent(event.object_id)
    contribution, _became = services.contribution_apply_payment_intent(payment_intent=intent)
    if contribution is None:
        raise EventIgnored(f"no contribution for {intent.id}")
    return f"contribution {contribution.pk} is {contribution.status}"


def subscription_changed(event: gateway.Event) -> str:
    """Apply the snapshot as of the event's time: an older snapshot never overrides a newer one."""
    subscription = gateway.parse_subscription(event.data_object)
    membership = membership_apply_subscription(subscription=subscription, observed_at=_observed_at(event))
    if membership is None:
        raise EventIgnored(f"no membership for {subscription.id}")
    return f"membership {membership.pk} is {membership.status}"


HANDLERS: dict[str, Handler] = {
    "payment_intent.succeeded": payment_intent_changed,
    "payment_intent.payment_failed": payment_intent_changed,
    "customer.subscription.created": subscription_changed,
    "customer.subscription.updated": subscription_changed,
    "customer.subscription.deleted": subscription_changed,
}


def dispatch(event: gateway.Event) -> str:
    """Run the handler for the event's type; other modes and unknown types are ignored, never applied."""
    if event.livemode != settings.STRIPE_LIVEMODE:
        raise EventIgnored("event from the other Stripe mode (livemode mismatch)")
    handler = HANDLERS.get(event.type)
    if handler is None:
        raise EventIgnored(f"no handler for {event.type}")
    return handler(event)
