"""A subscription made outside the site becomes a membership with a real amount, never a made-up one."""

import time

import pytest

from membership import services
from membership.lifecycle import Cause
from membership.models import Membership
from payments import gateway
from tests.factories import ContributorFactory

pytestmark = pytest.mark.django_db
BY_JOB = Cause.scheduled("import")


def _subscription(
    *, amount: int | None, product_id: str = "prod_membership", metadata: dict | None = None
) -> gateway.Subscription:
    return gateway.Subscription(
        id="sub_outside",
        status="active",
        customer_id="cus_outside",
        plan_id=None,
        product_id=product_id,
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
        metadata=services.PLATFORM_METADATA if metadata is None else metadata,
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

    membership = services.membership_from_stripe(subscription_id="sub_outside", amount_hint=999, cause=BY_JOB)

    assert (membership.amount_minor, membership.currency) == (1500, "EUR")


def test_subscription_without_a_price_takes_the_amount_its_invoice_charged(stripe_has):
    stripe_has(_subscription(amount=None))

    membership = services.membership_from_stripe(
        subscription_id="sub_outside", amount_hint=2000, cause=BY_JOB
    )

    assert membership.amount_minor == 2000


def test_subscription_without_any_amount_is_refused_rather_than_stored_as_one_cent(stripe_has):
    stripe_has(_subscription(amount=None))

    with pytest.raises(services.SubscriptionWithoutAmountError, match="sub_outside"):
        services.membership_from_stripe(subscription_id="sub_outside", cause=BY_JOB)

    assert not Membership.objects.exists()


@pytest.mark.parametrize(
    ("product_id", "metadata"),
    [
        ("prod_podcast", services.PLATFORM_METADATA),  # our mark, another product
        ("prod_membership", {}),  # our product id, made by another tool
        ("prod_print_edition", {"membership": "7"}),
    ],
)
def test_subscription_the_platform_did_not_create_never_becomes_a_membership(
    stripe_has, product_id, metadata
):
    stripe_has(_subscription(amount=1500, product_id=product_id, metadata=metadata))

    with pytest.raises(services.NotOurSubscriptionError, match="sub_outside"):
        services.membership_from_stripe(subscription_id="sub_outside", cause=BY_JOB)

    assert not Membership.objects.exists()
