"""Where localstripe (API 2017-08-15) and Stripe differ for subscription changes: the one adapter."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from django.conf import settings


def is_offline_stripe() -> bool:
    """Talking to localstripe (STRIPE_API_BASE set, never in live mode), not to stripe.com."""
    return bool(settings.STRIPE_API_BASE) and not settings.STRIPE_LIVEMODE


def no_proration() -> dict[str, Any]:
    """Stripe: `proration_behavior="none"`. localstripe answers 500 to it and takes the old `prorate`."""
    return {"prorate": False} if is_offline_stripe() else {"proration_behavior": "none"}


def subscription_as_stripe_reports(data: Mapping) -> Mapping:
    """A subscription as Stripe would report it, from localstripe's answer (a no-op on Stripe).

    localstripe keeps `active` (or `incomplete`, when created with a trial) and its first period while
    `trial_end` is ahead; Stripe reports `trialing`, with the period ending at `trial_end`.
    """
    if not is_offline_stripe():
        return data
    trial_end = data.get("trial_end")
    status = data.get("status")
    trial_ahead = isinstance(trial_end, int) and trial_end > time.time()
    created_in_trial = status == "incomplete" and not data.get("latest_invoice")
    if trial_ahead and (status == "active" or created_in_trial):
        return {**data, "status": "trialing", "current_period_end": trial_end}
    return data
