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

from membership import lifecycle, status
from membership.lifecycle import Before, Cause
from membership.models import Membership, ReplacedSubscription
from payments import gateway, recording
from payments.models import Contributor

STATUSES = {value for value, _label in Membership.Status.choices}
# What the platform writes on every subscription it creates; how it tells its own from others'.
PLATFORM_METADATA = {"platform": "reader-revenue"}


def is_platform_subscription(subscription: gateway.Subscription) -> bool:
    """Created by this platform: our metadata mark and our membership product, both.

    A shared Stripe account often holds other products' subscriptions: those never become memberships.
    """
    marked = all(subscription.metadata.get(key) == value for key, value in PLATFORM_METADATA.items())
    return marked and subscription.product_id == settings.MEMBERSHIP_STRIPE_PRODUCT_ID


class NotOurSubscriptionError(Exception):
    """A subscription the platform did not create: it is never mirrored or counted."""


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


def membership_plan(*, amount_minor: int, currency: str, interval: str) -> gateway.Plan:
    """The Stripe plan of the membership product for this amount, currency and interval."""
    return gateway.get_or_create_plan(
        amount=amount_minor,
        currency=currency,
        interval=interval,
        product_id=settings.MEMBERSHIP_STRIPE_PRODUCT_ID,
        product_name=_("%(site)s membership") % {"site": settings.SITE_NAME},
    )


def membership_start_subscription(
    *, membership: Membership, customer_id: str, metadata: dict[str, str]
) -> gateway.Subscription:
    """The Plan for this amount, then the Subscription (its first invoice charges the default card)."""
    plan = membership_plan(
        amount_minor=membership.amount_minor, currency=membership.currency, interval=membership.interval
    )
    subscription = gateway.create_subscription(
        customer_id=customer_id,
        plan_id=plan.id,
        metadata={**metadata, "membership": str(membership.pk), **PLATFORM_METADATA},
        idempotency_key=f"membership:{membership.pk}:subscription",
    )
    membership_apply_subscription(
        subscription=subscription,
        observed_at=timezone.now(),
        membership=membership,
        cause=Cause.reader(membership.contributor.user_id),
    )
    return subscription


@transaction.atomic
def membership_apply_subscription(
    *,
    subscription: gateway.Subscription,
    observed_at: datetime,
    cause: Cause,
    membership: Membership | None = None,
    occurred_at: datetime | None = None,
    cancel_reason: str = "",
    cancel_reason_text: str = "",
) -> Membership | None:
    """Apply a subscription snapshot observed at `observed_at` (event time, or now when fetched).

    A snapshot older than the newest one applied is ignored, so a late `updated` event never
    resurrects a membership that a later event canceled; a canceled membership stays canceled.
    Each change it makes is appended to the membership's history, at `occurred_at` (Stripe's time of
    the event that reported it) or else `observed_at`.
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

    before = Before.of(membership)
    when = occurred_at or observed_at
    membership.stripe_subscription_id = subscription.id
    if subscription.status in STATUSES:
        membership.status = subscription.status
    if subscription.plan_id:
        membership.stripe_plan_id = subscription.plan_id
    if subscription.amount:
        membership.amount_minor = subscription.amount
    if subscription.interval in gateway.FREQUENCY_OF_INTERVAL:
        membership.interval = subscription.interval
    membership.current_period_end = gateway.datetime_from_stripe(
        max(subscription.current_period_end or 0, subscription.trial_end or 0) or None
    )
    membership.cancel_at_period_end = subscription.cancel_at_period_end
    membership.canceled_at = gateway.datetime_from_stripe(subscription.canceled_at or subscription.ended_at)
    lifecycle.lifecycle_fields_update(
        membership,
        subscription_created=gateway.timestamp_from_stripe(subscription.created),
        ended_at=gateway.datetime_from_stripe(subscription.ended_at),
        when=when,
    )
    membership.stripe_synced_at = observed_at
    membership.save()
    lifecycle.changes_record(
        membership=membership,
        before=before,
        occurred_at=when,
        cause=cause,
        invoice_id=subscription.latest_invoice_id or "",
        cancel_reason=cancel_reason,
        cancel_reason_text=cancel_reason_text,
    )
    transaction.on_commit(lambda: status.member_status_invalidate(contributor_id=membership.contributor_id))
    return membership


def membership_from_stripe(
    *, subscription_id: str, cause: Cause, amount_hint: int | None = None
) -> Membership | None:
    """A membership for a platform subscription this database does not know (restored, or lost).

    Its amount is the subscription's price; when Stripe shows none (several or metered items), the
    amount the invoice charged (`amount_hint`); never a made-up figure. A subscription the platform
    did not create raises NotOurSubscriptionError.
    """
    replaced = ReplacedSubscription.objects.filter(stripe_subscription_id=subscription_id).first()
    if replaced is not None:
        return replaced.membership  # its late invoices are the membership's that replaced it
    subscription = gateway.retrieve_subscription(subscription_id)
    if not is_platform_subscription(subscription):
        raise NotOurSubscriptionError(f"subscription {subscription.id} was not created by the platform")
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
        subscription=subscription, observed_at=timezone.now(), membership=membership, cause=cause
    )


def membership_refresh_from_stripe(*, membership: Membership, cause: Cause) -> Membership:
    """Stripe's current state of the membership's subscription (the reader may just have paid)."""
    if not membership.stripe_subscription_id:
        return membership
    subscription = gateway.retrieve_subscription(membership.stripe_subscription_id)
    return (
        membership_apply_subscription(
            subscription=subscription, observed_at=timezone.now(), membership=membership, cause=cause
        )
        or membership
    )


def _mirrors(membership: Membership, subscription: gateway.Subscription) -> bool:
    """The membership shows what Stripe shows: status, cancellation, amount and frequency."""
    return (
        membership.status == subscription.status
        and membership.cancel_at_period_end == subscription.cancel_at_period_end
        and (not subscription.amount or membership.amount_minor == subscription.amount)
        and (subscription.interval is None or membership.interval == subscription.interval)
    )


def memberships_reconcile() -> int:
    """Memberships whose state differs from their subscription take Stripe's current state."""
    repaired = 0
    memberships = {
        m.stripe_subscription_id: m for m in Membership.objects.exclude(stripe_subscription_id=None)
    }
    for subscription in gateway.list_objects("subscriptions"):
        membership = memberships.get(subscription.id)
        if membership is None or _mirrors(membership, subscription):
            continue
        membership_apply_subscription(
            subscription=subscription,
            observed_at=timezone.now(),
            membership=membership,
            cause=Cause.scheduled("reconcile"),
        )
        repaired += 1
    return repaired


def subscription_import(subscription: gateway.Subscription) -> None:
    """One platform subscription of the Stripe account: created as a membership, or brought up to date.

    Subscriptions of other products on a shared account are passed over.
    """
    if not is_platform_subscription(subscription):
        return
    if ReplacedSubscription.objects.filter(stripe_subscription_id=subscription.id).exists():
        return
    membership = Membership.objects.filter(stripe_subscription_id=subscription.id).first()
    if membership is None:
        membership_from_stripe(subscription_id=subscription.id, cause=Cause.scheduled("import"))
    elif not _mirrors(membership, subscription):
        membership_apply_subscription(
            subscription=subscription,
            observed_at=timezone.now(),
            membership=membership,
            cause=Cause.scheduled("import"),
        )
