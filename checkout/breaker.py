"""Site-wide circuit breaker: when too many recent payments fail, checkout tightens and staff hear of it."""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from checkout.tasks import alert_staff_breaker_tripped
from payments.models import Contribution

logger = logging.getLogger(__name__)

TRIPPED_KEY = "checkout:breaker:tripped"


@dataclass(frozen=True)
class BreakerState:
    tripped: bool
    attempts: int
    failed: int


def breaker_state(*, record_change: bool = True) -> BreakerState:
    """Decided payments (succeeded or failed) of the last window; tripped when the failed share is high.

    Staff are alerted once per trip: the cache flag is set atomically (`add`) by the first process
    that sees the trip and removed when the rate falls back. Pages that only read (`record_change`
    off) see the same state and change nothing; the next payment attempt records the change.
    """
    since = timezone.now() - timedelta(minutes=settings.CHECKOUT_BREAKER_WINDOW_MINUTES)
    counts = Contribution.objects.filter(
        created_at__gte=since, status__in=[Contribution.Status.SUCCEEDED, Contribution.Status.FAILED]
    ).aggregate(attempts=Count("id"), failed=Count("id", filter=Q(status=Contribution.Status.FAILED)))
    attempts, failed = counts["attempts"], counts["failed"]
    tripped = (
        attempts >= settings.CHECKOUT_BREAKER_MIN_ATTEMPTS
        and failed >= attempts * settings.CHECKOUT_BREAKER_FAILURE_RATE
    )
    if not record_change:
        return BreakerState(tripped=tripped, attempts=attempts, failed=failed)
    if tripped and cache.add(TRIPPED_KEY, True, timeout=None):
        logger.error(
            "Checkout circuit breaker tripped: %s of %s payments failed in %s minutes; checkout tightened.",
            failed,
            attempts,
            settings.CHECKOUT_BREAKER_WINDOW_MINUTES,
        )
        transaction.on_commit(
            lambda: alert_staff_breaker_tripped.delay(
                failed=failed, attempts=attempts, window_minutes=settings.CHECKOUT_BREAKER_WINDOW_MINUTES
            )
        )
    elif not tripped and cache.delete(TRIPPED_KEY):
        logger.warning("Checkout circuit breaker reset: %s of %s payments failed.", failed, attempts)
    return BreakerState(tripped=tripped, attempts=attempts, failed=failed)
