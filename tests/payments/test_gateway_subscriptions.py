"""The gateway finds a membership's first payment whichever shape Stripe answers in."""

import pytest

from payments import gateway
from payments.gateway.billing import _with_first_payment
from tests.checkout.checkout_support import payment_method

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _customer_with_card() -> str:
    customer = gateway.create_customer(email="member@example.org", idempotency_key="test:member")
    method = payment_method()
    gateway.attach_payment_method(
        payment_method_id=method, customer_id=customer.id, idempotency_key="test:attach"
    )
    gateway.set_default_payment_method(customer_id=customer.id, payment_method_id=method)
    return customer.id


def _plan_id() -> str:
    return gateway.get_or_create_plan(
        amount=1000,
        currency="USD",
        interval="month",
        product_id="prod_test_membership",
        product_name="Members",
    ).id


def test_new_subscription_reports_its_first_payment(localstripe):
    subscription = gateway.create_subscription(
        customer_id=_customer_with_card(), plan_id=_plan_id(), idempotency_key="test:sub"
    )

    intent = subscription.latest_invoice_payment_intent
    assert subscription.status == "active"
    assert intent.status == "succeeded"
    assert intent.latest_charge.amount == 1000


def test_first_payment_is_found_when_the_answer_names_the_invoice_only(localstripe):
    created = gateway.create_subscription(
        customer_id=_customer_with_card(), plan_id=_plan_id(), idempotency_key="test:sub:ids"
    )
    answer = gateway.to_dict(gateway.client().v1.subscriptions.retrieve(created.id))
    assert isinstance(answer["latest_invoice"], str)

    subscription = _with_first_payment(answer)

    assert subscription.latest_invoice_payment_intent.id == created.latest_invoice_payment_intent.id
    assert subscription.latest_invoice_payment_intent.status == "succeeded"
