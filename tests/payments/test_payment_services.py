"""Applying a PaymentIntent to a contribution: forward-only, idempotent, one ledger entry."""

import pytest

from payments import gateway, services
from payments.models import Contribution, LedgerEntry
from tests.factories import ContributionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def _paid_intent(amount: int = 2500, currency: str = "usd") -> gateway.PaymentIntent:
    stripe = gateway.client()
    method = stripe.v1.payment_methods.create(
        {
            "type": "card",
            "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2030, "cvc": "123"},
        }
    )
    intent = stripe.v1.payment_intents.create(
        {
            "amount": amount,
            "currency": currency,
            "payment_method_types": ["card"],
            "payment_method": method.id,
        }
    )
    stripe.v1.payment_intents.confirm(intent.id)
    return gateway.retrieve_payment_intent(intent.id)


def test_succeeded_intent_marks_contribution_succeeded_and_records_one_charge(localstripe):
    intent = _paid_intent()
    contribution = ContributionFactory(stripe_payment_intent_id=intent.id)

    _, first = services.contribution_apply_payment_intent(payment_intent=intent)
    _, second = services.contribution_apply_payment_intent(payment_intent=intent)

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.SUCCEEDED
    assert (first, second) == (True, False)
    entry = LedgerEntry.objects.get()
    assert (entry.kind, entry.amount_minor, entry.currency) == ("charge", 2500, "USD")
    assert entry.contribution == contribution
    assert entry.settlement_currency == "USD"


def test_late_requires_action_never_undoes_a_success(localstripe):
    intent = _paid_intent()
    contribution = ContributionFactory(stripe_payment_intent_id=intent.id)
    services.contribution_apply_payment_intent(payment_intent=intent)
    stale = gateway.parse_payment_intent(
        {"id": intent.id, "status": "requires_action", "amount": 2500, "currency": "usd"}
    )

    services.contribution_apply_payment_intent(payment_intent=stale)

    contribution.refresh_from_db()
    assert contribution.status == Contribution.Status.SUCCEEDED


def test_unknown_intent_changes_nothing():
    stale = gateway.parse_payment_intent(
        {"id": "pi_unknown", "status": "succeeded", "amount": 1, "currency": "usd"}
    )

    contribution, became = services.contribution_apply_payment_intent(payment_intent=stale)

    assert contribution is None
    assert became is False
    assert not LedgerEntry.objects.exists()
