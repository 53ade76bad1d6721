"""The reader is emailed once about each refund Stripe confirmed, however the refund was made or reported."""

import dataclasses
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from payments import gateway
from payments.ledger import refunds
from payments.models import LedgerEntry, RefundRequest
from payments.models.ledger import RefundNotice
from tests.factories import ContributionFactory
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


@pytest.fixture
def paid_gift(localstripe, deliver_processed):
    """A €50 gift paid at localstripe and recorded, its receipt already sent (so the outbox starts empty)."""
    intent_id = flows.paid_intent(amount=5000, currency="eur")
    contribution = ContributionFactory(
        stripe_payment_intent_id=intent_id,
        amount_minor=5000,
        currency="EUR",
        contributor__email="reader@example.org",
        contributor__name="Ada",
    )
    for event in flows.events("payment_intent.succeeded"):
        deliver_processed(event)
    contribution.refresh_from_db()
    mail.outbox.clear()
    return contribution


@pytest.fixture
def run_on_commit(celery_eager, django_capture_on_commit_callbacks):
    """Run what a call queues on commit (the email task, in-process)."""

    def _run(call, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return call(**kwargs)

    return _run


def refund_emails() -> list:
    return [message for message in mail.outbox if "refund" in message.subject.lower()]


def test_a_staff_partial_refund_emails_the_reader_what_was_refunded_and_what_stands(paid_gift, run_on_commit):
    run_on_commit(refunds.contribution_refund, contribution=paid_gift, amount_minor=1250)

    (email,) = refund_emails()
    assert email.to == ["reader@example.org"]
    assert email.subject == "Your refund from The Independent Ledger: €12.50"
    assert "Dear Ada," in email.body
    assert "we have refunded €12.50 of your gift to The Independent Ledger." in email.body
    assert "Original amount: €50.00" in email.body
    assert "Your contribution now: €37.50" in email.body
    assert f"Reference: {paid_gift.public_id}" in email.body
    notice = RefundNotice.objects.get()
    assert notice.ledger_entry == LedgerEntry.objects.get(kind="refund")
    assert notice.sent_at is not None


def test_the_refund_reported_again_by_stripe_sends_no_second_email(
    paid_gift, run_on_commit, deliver_processed
):
    request = run_on_commit(refunds.contribution_refund, contribution=paid_gift, amount_minor=5000)

    deliver_processed(make_event("charge.refunded", flows.charge_of(paid_gift.stripe_payment_intent_id)))
    run_on_commit(refunds.refund_record, refund=gateway.retrieve_refund(request.stripe_refund_id))

    (email,) = refund_emails()
    assert "Refunded in all: €50.00 (the whole amount)" in email.body
    assert RefundNotice.objects.count() == 1


def test_a_refund_made_in_stripes_dashboard_is_emailed_when_its_webhook_arrives(paid_gift, deliver_processed):
    flows.refund(payment_intent=paid_gift.stripe_payment_intent_id, amount=2000)

    deliver_processed(make_event("charge.refunded", flows.charge_of(paid_gift.stripe_payment_intent_id)))

    assert not RefundRequest.objects.exists()
    (email,) = refund_emails()
    assert email.subject == "Your refund from The Independent Ledger: €20.00"
    assert "Your contribution now: €30.00" in email.body


def test_the_email_waits_for_the_refund_to_be_committed(
    paid_gift, celery_eager, django_capture_on_commit_callbacks
):
    refund_id = flows.refund(payment_intent=paid_gift.stripe_payment_intent_id, amount=2000)

    with django_capture_on_commit_callbacks(execute=False) as queued:
        refunds.refund_record(refund=gateway.retrieve_refund(refund_id))

    assert refund_emails() == []
    assert len(queued) == 1


def test_of_two_refunds_only_the_one_made_lately_is_emailed_not_one_found_in_stripes_history(
    paid_gift, run_on_commit
):
    """An import of Stripe's history records old refunds, whose readers heard of them long ago."""
    old_id = flows.refund(payment_intent=paid_gift.stripe_payment_intent_id, amount=1000)
    new_id = flows.refund(payment_intent=paid_gift.stripe_payment_intent_id, amount=2000)
    months_ago = int((timezone.now() - timedelta(days=90)).timestamp())
    old = dataclasses.replace(gateway.retrieve_refund(old_id), created=months_ago)

    run_on_commit(refunds.refund_record, refund=old)
    run_on_commit(refunds.refund_record, refund=gateway.retrieve_refund(new_id))

    assert LedgerEntry.objects.filter(kind="refund").count() == 2
    (email,) = refund_emails()
    assert email.subject == "Your refund from The Independent Ledger: €20.00"
    assert RefundNotice.objects.get().ledger_entry.stripe_object_id == new_id
