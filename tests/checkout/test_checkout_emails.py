"""Receipts and welcome emails: sent once per success, whichever path saw it first, after commit."""

import time

import pytest
from django.core import mail

from config.celery import app
from payments import gateway, services
from payments.models import Contribution
from payments.tasks import send_contribution_receipt
from tests.checkout.checkout_support import (
    THREE_D_SECURE_CARD,
    authenticate,
    eager_tasks,  # noqa: F401
    gift,
    payment_method,
    post,
    refresh,
)
from tests.conftest import requires_broker

pytestmark = [pytest.mark.django_db, pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]


def _receipts(to: str = "reader@example.org") -> list:
    return [m for m in mail.outbox if m.to == [to] and "receipt" in m.subject.lower()]


def test_receipt_for_a_gift_names_amount_card_and_organisation(
    client, localstripe, settings, django_capture_on_commit_callbacks
):
    settings.ORGANISATION_DETAILS = "Ledger Foundation, 1 Press Street, Kyiv."
    with django_capture_on_commit_callbacks(execute=True):
        post(client, gift(amount=2500, cover_fee=True))

    [receipt] = _receipts()
    assert "$26.06" in receipt.subject
    assert "$1.06" in receipt.body  # the fee covered
    assert "4242" in receipt.body
    assert "Ledger Foundation, 1 Press Street, Kyiv." in receipt.body
    assert str(Contribution.objects.get().public_id) in receipt.body
    assert Contribution.objects.get().receipt_sent_at is not None


def test_receipt_in_yen_has_no_decimals(client, localstripe, settings, django_capture_on_commit_callbacks):
    settings.CHECKOUT_CURRENCIES = ["USD", "JPY"]
    with django_capture_on_commit_callbacks(execute=True):
        post(client, gift(currency="JPY", amount=1000))

    assert "¥1,000" in _receipts()[0].subject


def test_no_receipt_before_the_transaction_commits(client, localstripe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(client, gift())

    assert _receipts() == []
    assert callbacks  # queued for after commit


def test_receipt_is_sent_once_when_the_success_is_seen_twice(
    client, localstripe, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        body = post(client, gift(payment_method=payment_method(THREE_D_SECURE_CARD))).json()
        contribution = Contribution.objects.get()
        authenticate(
            localstripe,
            payment_intent_id=contribution.stripe_payment_intent_id,
            client_secret=body["client_secret"],
        )
        refresh(client, body["id"])  # the page, back from 3-D Secure, has the server ask Stripe
        intent = gateway.retrieve_payment_intent(contribution.stripe_payment_intent_id)
        services.contribution_apply_payment_intent(payment_intent=intent)  # and so does a webhook

    assert len(_receipts()) == 1


def test_receipt_task_run_twice_sends_once(client, localstripe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, gift())
    contribution = Contribution.objects.get()

    assert send_contribution_receipt(contribution_id=contribution.pk) is False
    assert len(_receipts()) == 1


def test_membership_gets_a_welcome_and_a_receipt(client, localstripe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, gift(frequency="monthly", amount=1000))

    subjects = sorted(m.subject for m in mail.outbox)
    assert len(subjects) == 2
    assert any("Welcome" in subject for subject in subjects)
    welcome = next(m for m in mail.outbox if "Welcome" in m.subject)
    assert "$10.00 a month" in welcome.body
    assert "cancel" in welcome.body


def test_failed_payment_sends_no_receipt(client, localstripe, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post(client, gift(payment_method=payment_method("4000000000000341")))

    assert mail.outbox == []


@requires_broker
@pytest.mark.django_db(transaction=True)
def test_receipt_is_delivered_by_a_real_worker(client, localstripe, celery_worker_thread):
    app.conf.task_always_eager = False
    post(client, gift())

    deadline = time.monotonic() + 20
    while (
        time.monotonic() < deadline
        and not Contribution.objects.filter(receipt_sent_at__isnull=False).exists()
    ):
        time.sleep(0.2)
    assert Contribution.objects.get().receipt_sent_at is not None
