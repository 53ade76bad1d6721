"""Membership lifecycle: mirror Stripe subscriptions, newest Stripe state wins whatever the order."""

from datetime import UTC, datetime

from django.db import transaction

from membership.models import Membership
from payments import gateway

INTERVALS = {"month": Membership.Interval.MONTH, "year": Membership.Interval.YEAR}
STATUSES = {value for value, _label in Membership.Status.choices}


def _timestamp(value: int | None) -> datetime | None:
    return datetime.fromtimestamp(value, tz=UTC) if value else None


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
    if subscription.interval in INTERVALS:
        membership.interval = INTERVALS[subscription.interval]
    membership.current_period_end = _timestamp(subscription.current_period_end)
    membership.cancel_at_period_end = subscription.cancel_at_period_end
    membership.canceled_at = _timestamp(subscription.canceled_at or subscription.ended_at)
    if membership.status == Membership.Status.ACTIVE and membership.started_at is None:
        membership.started_at = _timestamp(subscription.created)
    membership.stripe_synced_at = observed_at
    membership.save()
    return membership
