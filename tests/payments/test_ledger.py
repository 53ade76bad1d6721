"""The ledger is append-only; staff refunds go through Stripe and are recorded once confirmed."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from payments import gateway
from payments.ledger import refunds
from payments.models import Contribution, LedgerEntry, RefundRequest
from tests.factories import ContributionFactory
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event

pytestmark = pytest.mark.django_db


def test_ledger_rows_cannot_be_updated_even_outside_the_orm():
    entry = LedgerEntry.objects.create(
        kind="charge",
        stripe_object_id="ch_1",
        amount_minor=100,
        currency="USD",
        occurred_at=datetime.now(tz=UTC),
    )

    with pytest.raises(DatabaseError), transaction.atomic():
        LedgerEntry.objects.filter(pk=entry.pk).update(amount_minor=1)

    entry.refresh_from_db()
    assert entry.amount_minor == 100


def test_ledger_admin_offers_no_add_change_or_delete(admin_client):
    entry = LedgerEntry.objects.create(
        kind="charge",
        stripe_object_id="ch_2",
        amount_minor=100,
        currency="USD",
        occurred_at=datetime.now(tz=UTC),
    )

    assert admin_client.get(reverse("admin:payments_ledgerentry_add")).status_code == 403
    assert admin_client.get(reverse("admin:payments_ledgerentry_delete", args=[entry.pk])).status_code == 403
    page = admin_client.get(reverse("admin:payments_ledgerentry_change", args=[entry.pk]))
    assert page.status_code == 200
    assert b'name="_save"' not in page.content


@pytest.fixture
def paid_contribution(localstripe, deliver_processed):
    intent_id = flows.paid_intent(amount=5000, currency="eur")
    contribution = ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=5000, currency="EUR")
    for event in flows.events("payment_intent.succeeded"):
        deliver_processed(event)
    contribution.refresh_from_db()
    return contribution


@pytest.mark.integration
def test_staff_partial_refund_is_recorded_when_stripe_confirms_it(
    paid_contribution, admin_client, admin_user
):
    response = admin_client.post(
        reverse("admin:payments_contribution_refund", args=[paid_contribution.pk]),
        {"amount": "12.50", "reason": "asked by reader"},
    )

    assert response.status_code == 302
    request = RefundRequest.objects.get()
    assert (request.status, request.amount_minor, request.requested_by) == ("succeeded", 1250, admin_user)
    assert request.idempotency_key == f"contribution:{paid_contribution.pk}:refund:{request.pk}"
    refund = gateway.retrieve_refund(request.stripe_refund_id)
    assert (refund.amount, refund.metadata["refund_request"]) == (1250, str(request.pk))
    entry = LedgerEntry.objects.get(kind="refund")
    assert (entry.amount_minor, entry.currency, entry.stripe_object_id) == (-1250, "EUR", refund.id)
    paid_contribution.refresh_from_db()
    assert (paid_contribution.status, paid_contribution.amount_refunded_minor) == ("partially_refunded", 1250)


@pytest.mark.integration
def test_staff_full_refund_from_the_admin_action(paid_contribution, admin_client):
    admin_client.post(
        reverse("admin:payments_contribution_changelist"),
        {"action": "refund_in_full", "_selected_action": [paid_contribution.pk]},
    )

    paid_contribution.refresh_from_db()
    assert (paid_contribution.status, paid_contribution.amount_refunded_minor) == ("refunded", 5000)
    assert LedgerEntry.objects.get(kind="refund").amount_minor == -5000


@pytest.mark.integration
def test_refund_above_the_refundable_amount_is_refused_and_stripe_is_not_called(
    paid_contribution, admin_client
):
    refunds.contribution_refund(contribution=paid_contribution, amount_minor=4000)

    response = admin_client.post(
        reverse("admin:payments_contribution_refund", args=[paid_contribution.pk]), {"amount": "10.01"}
    )

    assert response.status_code == 200
    assert "At most €10.00 can be refunded; €10.01 was asked." in response.content.decode()
    assert RefundRequest.objects.count() == 1
    assert len(gateway.list_charge_refunds(paid_contribution.stripe_charge_id)) == 1


@pytest.mark.integration
def test_refund_with_more_decimals_than_the_currency_allows_is_a_form_error(paid_contribution, admin_client):
    response = admin_client.post(
        reverse("admin:payments_contribution_refund", args=[paid_contribution.pk]), {"amount": "1.005"}
    )

    assert response.status_code == 200
    assert "more decimals" in response.content.decode()
    assert not RefundRequest.objects.exists()


def test_contribution_never_paid_cannot_be_refunded():
    contribution = ContributionFactory()

    with pytest.raises(refunds.RefundNotAllowedError, match="no Stripe payment"):
        refunds.contribution_refund(contribution=contribution, amount_minor=100)

    assert not RefundRequest.objects.exists()


@pytest.mark.integration
def test_staff_refund_then_its_charge_refunded_event_records_it_once(paid_contribution, deliver_processed):
    refunds.contribution_refund(contribution=paid_contribution, amount_minor=5000)

    deliver_processed(
        make_event("charge.refunded", flows.charge_of(paid_contribution.stripe_payment_intent_id))
    )

    assert LedgerEntry.objects.filter(kind="refund").count() == 1
    assert Contribution.objects.get().status == "refunded"


# The staff refund form takes the contribution's own decimals (CLDR) in the steps Stripe accepts.


@pytest.fixture
def paid_in(localstripe, deliver_processed):
    """A contribution paid at localstripe: `stripe_amount` as Stripe writes it, `amount_minor` as we do."""

    def _paid(*, stripe_amount: int, amount_minor: int, currency: str) -> Contribution:
        intent_id = flows.paid_intent(amount=stripe_amount, currency=currency.lower())
        contribution = ContributionFactory(
            stripe_payment_intent_id=intent_id, amount_minor=amount_minor, currency=currency
        )
        for event in flows.events("payment_intent.succeeded"):
            deliver_processed(event)
        contribution.refresh_from_db()
        return contribution

    return _paid


def _refund_page(admin_client, contribution: Contribution, amount: str):
    return admin_client.post(
        reverse("admin:payments_contribution_refund", args=[contribution.pk]), {"amount": amount}
    )


def test_refund_form_asks_for_the_amount_in_the_contributions_currency_and_step(admin_client):
    contribution = ContributionFactory(currency="KWD", amount_minor=5000, stripe_payment_intent_id="pi_kwd")

    page = admin_client.get(reverse("admin:payments_contribution_refund", args=[contribution.pk]))

    assert "Amount to refund (KWD)" in page.content.decode()
    assert 'step="0.010"' in page.content.decode()


def test_yen_refund_with_decimals_is_a_form_error_and_stripe_is_not_called(admin_client):
    contribution = ContributionFactory(currency="JPY", amount_minor=5000, stripe_payment_intent_id="pi_jpy")

    response = _refund_page(admin_client, contribution, "300.5")

    assert response.status_code == 200
    assert "300.5 has more decimals than JPY allows: enter whole units." in response.content.decode()
    assert not RefundRequest.objects.exists()


def test_kwd_refund_with_a_fourth_decimal_is_a_form_error_and_stripe_is_not_called(admin_client):
    contribution = ContributionFactory(currency="KWD", amount_minor=5000, stripe_payment_intent_id="pi_kwd")

    response = _refund_page(admin_client, contribution, "1.2345")

    assert response.status_code == 200
    assert "1.2345 has more decimals than KWD allows: at most 3 decimal places." in response.content.decode()
    assert not RefundRequest.objects.exists()


def test_kwd_refund_whose_last_fils_digit_is_not_zero_is_a_form_error_and_stripe_is_not_called(
    admin_client,
):
    contribution = ContributionFactory(currency="KWD", amount_minor=5000, stripe_payment_intent_id="pi_kwd")

    response = _refund_page(admin_client, contribution, "1.235")

    assert response.status_code == 200
    assert "Stripe refunds KWD only in steps of 0.010: enter 1.230 or 1.240." in response.content.decode()
    assert not RefundRequest.objects.exists()


@pytest.mark.integration
def test_staff_refund_in_whole_yen_reaches_stripe_as_whole_yen(paid_in, admin_client):
    contribution = paid_in(stripe_amount=5000, amount_minor=5000, currency="JPY")

    response = _refund_page(admin_client, contribution, "300")

    assert response.status_code == 302
    request = RefundRequest.objects.get()
    assert (request.status, request.amount_minor) == ("succeeded", 300)
    assert gateway.client().v1.refunds.retrieve(request.stripe_refund_id).amount == 300
    assert LedgerEntry.objects.get(kind="refund").amount_minor == -300


@pytest.mark.integration
def test_staff_refund_in_kwd_on_the_ten_fils_step_reaches_stripe_in_fils(paid_in, admin_client):
    contribution = paid_in(stripe_amount=5000, amount_minor=5000, currency="KWD")

    response = _refund_page(admin_client, contribution, "1.23")

    assert response.status_code == 302
    request = RefundRequest.objects.get()
    assert (request.status, request.amount_minor) == ("succeeded", 1230)
    assert gateway.client().v1.refunds.retrieve(request.stripe_refund_id).amount == 1230


@pytest.mark.integration
def test_staff_refund_in_kronur_reaches_stripe_with_two_decimals_and_the_ledger_in_kronur(
    paid_in, admin_client
):
    contribution = paid_in(stripe_amount=500000, amount_minor=5000, currency="ISK")

    response = _refund_page(admin_client, contribution, "1000")

    assert response.status_code == 302
    request = RefundRequest.objects.get()
    assert gateway.client().v1.refunds.retrieve(request.stripe_refund_id).amount == 100000
    entry = LedgerEntry.objects.get(kind="refund")
    assert (entry.amount_minor, entry.currency) == (-1000, "ISK")
    contribution.refresh_from_db()
    assert (contribution.status, contribution.amount_refunded_minor) == ("partially_refunded", 1000)
