"""A membership mirrors its Stripe subscription; the newest Stripe state wins whatever the order."""

from datetime import UTC, datetime, timedelta

import pytest

from membership.lifecycle import Cause
from membership.models import Membership
from membership.services import membership_apply_subscription
from payments import gateway
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 11, 1, tzinfo=UTC)
BY_STRIPE = Cause.stripe("evt_sync")


def _subscription(status: str, **extra) -> gateway.Subscription:
    data = {
        "id": "sub_1",
        "status": status,
        "customer": "cus_1",
        "created": int(T0.timestamp()),
        "plan": {"id": "plan_1", "amount": 1000, "currency": "usd", "interval": "month"},
        "current_period_end": int((T0 + timedelta(days=30)).timestamp()),
        "cancel_at_period_end": False,
        **extra,
    }
    return gateway.parse_subscription(data)


def test_deleted_before_updated_ends_canceled():
    membership = MembershipFactory(stripe_subscription_id="sub_1")

    membership_apply_subscription(
        subscription=_subscription("canceled"), observed_at=T0 + timedelta(minutes=2), cause=BY_STRIPE
    )
    membership_apply_subscription(
        subscription=_subscription("active"), observed_at=T0 + timedelta(minutes=1), cause=BY_STRIPE
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.CANCELED


def test_newer_snapshot_updates_the_membership():
    membership = MembershipFactory(stripe_subscription_id="sub_1", status=Membership.Status.INCOMPLETE)

    membership_apply_subscription(
        subscription=_subscription("active", cancel_at_period_end=True), observed_at=T0, cause=BY_STRIPE
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.ACTIVE
    assert membership.cancel_at_period_end is True
    assert membership.current_period_end == T0 + timedelta(days=30)


@pytest.mark.parametrize("later_status", ["active", "past_due", "unpaid", "incomplete"])
def test_a_canceled_membership_never_reopens(later_status):
    canceled_at = T0 + timedelta(days=3)
    membership = MembershipFactory(
        stripe_subscription_id="sub_1",
        status=Membership.Status.CANCELED,
        canceled_at=canceled_at,
        stripe_synced_at=canceled_at,
        amount_minor=1000,
    )
    reopened = _subscription(
        later_status, plan={"id": "plan_2", "amount": 2500, "currency": "usd", "interval": "year"}
    )

    membership_apply_subscription(
        subscription=reopened, observed_at=canceled_at + timedelta(days=1), cause=BY_STRIPE
    )

    membership.refresh_from_db()
    assert membership.status == Membership.Status.CANCELED
    assert (membership.amount_minor, membership.interval) == (1000, Membership.Interval.MONTH)
    assert membership.canceled_at == canceled_at
    assert membership.stripe_synced_at == canceled_at  # the later snapshot was not applied
