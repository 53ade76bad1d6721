"""Fixtures of the membership tests: webhook delivery processed in-process (from the payments tests),
and Stripe's answer for a subscription localstripe cannot put in that state (past due, renewed)."""

import pytest

from payments import gateway
from tests.payments.conftest import celery_eager, deliver_processed

__all__ = ["celery_eager", "deliver_processed", "stripe_reports"]


@pytest.fixture
def stripe_reports(monkeypatch):
    """Subscriptions as Stripe reports them now, for those localstripe cannot put in that state."""
    reported: dict[str, dict] = {}
    real = gateway.retrieve_subscription

    def retrieve(subscription_id: str) -> gateway.Subscription:
        if subscription_id in reported:
            return gateway.parse_subscription(reported[subscription_id])
        return real(subscription_id)

    monkeypatch.setattr(gateway, "retrieve_subscription", retrieve)
    return reported
