"""A subscription made outside the site becomes a membership with a real amount, never a made-up one."""

import time

import pytest

from membership import services
from membership.models import Membership
from payments import gateway
from tests.factories import ContributorFactory

pytestmark = pytest.mark.django_db


def _subscription(*, amount: int | None) -> gateway.Subscription:
    return gateway.Subscription(
        id="sub_outside",
        status="active",
        customer_id="cus_outside",
        plan_id=None,
        amount=amount,
        currency="EUR",
        interval="month",
        created=int(time.time()),
        current_period_end=None,
        cancel_at_period_end=False,
        canceled_at=None,
        ended_at=None,
        latest_invoice_id=None,
        latest_invoice_payment_intent=None,
    )


@pytest.fixture
def stripe_has(monkeypatch):
    """Stripe's answer for the subscription (a stand-in only for what localstripe cannot make)."""
    ContributorFactory(stripe_customer_id="cus_outside")

    def answer(subscription):
        monkeypatch.setattr(gateway, "retrieve_subscription", lambda subscription_id: subscription)

    return answer


def test_subscription_with_a_price_takes_its_amount(stripe_has):
    stripe_has(_subscription(amount=1500))

    membership = services.membership_from_stripe(subscription_id="sub_outside", amount_hint=999)

    assert (membership.amount_minor, membership.currency) == (1500, "EUR")


def test_subscription_without_a_price_takes_the_amount_its_invoice_charged(stripe_has):
    stripe_has(_subscription(amount=None))

    membership = services.membership_from_stripe(subscription_id="sub_outside", amount_hint=2000)

    assert membership.amount_minor == 2000


def test_subscription_without_any_amount_is_refused_rather_than_stored_as_one_cent(stripe_has):
    stripe_has(_subscription(amount=None))

    with pytest.raises(services.SubscriptionWithoutAmountError, match="sub_outside"):
        services.membership_from_stripe(subscription_id="sub_outside")

    assert not Membership.objects.exists()
