"""Membership lifecycle: create, start the Stripe subscription, mirror it; newest Stripe state wins.

Stripe is asked first and rows are written after, in short transactions: no row lock is held across a
network call.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from membership.models import Membership
from payments import gateway, recording
from payments.models import Contributor

STATUSES = {value for value, _label in Membership.Status.choices}
MEMBERSHIP_PRODUCT_ID = "prod_membership"


class SubscriptionWithoutAmountError(Exception):
    """Stripe answered a subscription with no price amount: nothing to mirror a membership from."""


def membership_create(
    *, contributor: Contributor, frequency: str, amount_minor: int, currency: str, attribution: dict[str, str]
) -> Membership:
    """The membership row, written before Stripe hears of it (its id keys the Stripe calls)."""
    return Membership.objects.create(
        contributor=contributor,
        interval=gateway.INTERVAL_OF_FREQUENCY[frequency],
        amount_minor=amount_minor,
        currency=currency,
        **attribution,
    )


def membership_start_subscription(
    *, membership: Membership, customer_id: str, metadata: dict[str, str]
) -> gateway.Subscription:
    """The Plan for this amount, then the Subscription (its first invoice charges the default card)."""
    plan = gateway.get_or_create_plan(
        amount=membership.amount_minor,
        currency=membership.currency,
        interval=membership.interval,
        product_id=MEMBERSHIP_PRODUCT_ID,
        product_name=_("%(site)s membership") % {"site": settings.SITE_NAME},
    )
    subscription = gateway.create_subscription(
        customer_id=customer_id,
        plan_id=plan.id,
        metadata={"membership": str(membership.pk), **metadata},
        idempotency_key=f"membership:{membership.pk}:subscription",
    )
    membership_apply_subscription(
        subscription=subscription, observed_at=timezone.now(), membership=membership
    )
    return subscription


@transaction.atomic
def membership_apply_subscription(
    *, subscription: gateway.Subscription, observed_at: datetime, membership: Membership | None = None
) -> Membership | None:
    """Apply a subscription snapshot observed at `observed_at` (event time, or now when fetched).

    A snapshot older than the newest one applied is ignored, so a late `updated` event never
    resurrects a membership that a later event canceled; a canceled membership stays canceled.
    """
    queryset = Membership.objects.select_for_update()
    if membership is not None:
        membership = queryset.get(pk=membership.pk)
    else:
        membership = queryset.filter(stripe_subscription_id=subscription.id).first()
    if membership is None:
        return None
    if membership.stripe_synced_at and observed_at < membership.stripe_synced_at:
        return membership
    if membership.status == Membership.Status.CANCELED and subscription.status != "canceled":
        return membership  # Stripe never reopens a canceled subscription

    membership.stripe_subscription_id = subscription.id
    if subscription.status in STATUSES:
        membership.status = subscription.status
    if subscription.plan_id:
        membership.stripe_plan_id = subscription.plan_id
    if subscription.amount:
        membership.amount_minor = subscription.amount
    if subscription.interval in gateway.FREQUENCY_OF_INTERVAL:
        membership.interval = subscription.interval
    membership.current_period_end = gateway.datetime_from_stripe(subscription.current_period_end)
    membership.cancel_at_period_end = subscription.cancel_at_period_end
    membership.canceled_at = gateway.datetime_from_stripe(subscription.canceled_at or subscription.ended_at)
    if membership.status == Membership.Status.ACTIVE and membership.started_at is None:
        membership.started_at = gateway.datetime_from_stripe(subscription.created)
    membership.stripe_synced_at = observed_at
    membership.save()
    return membership


def membership_from_stripe(*, subscription_id: str, amount_hint: int | None = None) -> Membership | None:
    """A membership for a subscription created outside the site (or before it existed).

    Its amount is the subscription's price; when Stripe shows none (several or metered items), the
    amount the invoice charged (`amount_hint`); never a made-up figure.
    """
    subscription = gateway.retrieve_subscription(subscription_id)
    amount = subscription.amount or amount_hint
    if not amount:
        raise SubscriptionWithoutAmountError(f"subscription {subscription.id} has no amount to mirror")
    contributor = recording.contributor_for_customer(
        customer_id=subscription.customer_id, fallback_email=None
    )
    membership, _created = Membership.objects.get_or_create(
        stripe_subscription_id=subscription.id,
        defaults={
            "contributor": contributor,
            "interval": subscription.interval
            if subscription.interval in gateway.FREQUENCY_OF_INTERVAL
            else "month",
            "amount_minor": amount,
            "currency": subscription.currency,
            "stripe_plan_id": subscription.plan_id or "",
            **recording.attribution_from_metadata(subscription.metadata),
        },
    )
    return membership_apply_subscription(
        subscription=subscription, observed_at=timezone.now(), membership=membership
    )


def membership_refresh_from_stripe(*, membership: Membership) -> Membership:
    """Stripe's current state of the membership's subscription (the reader may just have paid)."""
    if not membership.stripe_subscription_id:
        return membership
    subscription = gateway.retrieve_subscription(membership.stripe_subscription_id)
    return (
        membership_apply_subscription(
            subscription=subscription, observed_at=timezone.now(), membership=membership
        )
        or membership
    )


def memberships_reconcile() -> int:
    """Memberships whose state differs from their subscription take Stripe's current state."""
    repaired = 0
    memberships = {
        m.stripe_subscription_id: m for m in Membership.objects.exclude(stripe_subscription_id=None)
    }
    for subscription in gateway.list_objects("subscriptions"):
        membership = memberships.get(subscription.id)
        if membership is None or membership.status == subscription.status:
            continue
        membership_apply_subscription(
            subscription=subscription, observed_at=timezone.now(), membership=membership
        )
        repaired += 1
    return repaired


def subscription_import(subscription: gateway.Subscription) -> None:
    """One subscription of an existing Stripe account: created as a membership, or brought up to date."""
    membership = Membership.objects.filter(stripe_subscription_id=subscription.id).first()
    if membership is None:
        membership_from_stripe(subscription_id=subscription.id)
    elif membership.status != subscription.status:
        membership_apply_subscription(
            subscription=subscription, observed_at=timezone.now(), membership=membership
        )
