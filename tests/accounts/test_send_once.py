"""An email is sent at most once per row, and a failed send is sent by the retry."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.emails import EmailInFlightError
from membership.emails import membership_welcome_send
from payments.emails import contribution_receipt_send
from payments.models import Contribution
from tests.factories import ContributionFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def _paid() -> Contribution:
    return ContributionFactory(status=Contribution.Status.SUCCEEDED)


def test_receipt_is_sent_once_however_often_the_task_runs():
    contribution = _paid()

    assert contribution_receipt_send(contribution_id=contribution.pk) is True
    assert contribution_receipt_send(contribution_id=contribution.pk) is False

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [contribution.contributor.email]


def test_a_receipt_whose_send_failed_is_sent_by_the_retry(monkeypatch):
    contribution = _paid()

    def mail_server_down(self, *args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    with monkeypatch.context() as patched:
        patched.setattr("django.core.mail.EmailMultiAlternatives.send", mail_server_down)
        with pytest.raises(ConnectionRefusedError):
            contribution_receipt_send(contribution_id=contribution.pk)
    contribution.refresh_from_db()
    assert contribution.receipt_sent_at is None

    assert contribution_receipt_send(contribution_id=contribution.pk) is True
    assert len(mail.outbox) == 1


def test_no_receipt_for_a_contribution_that_has_not_succeeded():
    contribution = ContributionFactory(status=Contribution.Status.PENDING)

    assert contribution_receipt_send(contribution_id=contribution.pk) is False
    assert mail.outbox == []


def test_a_receipt_another_worker_is_sending_is_left_to_it_for_now():
    contribution = _paid()
    contribution.receipt_claimed_at = timezone.now()
    contribution.save(update_fields=["receipt_claimed_at"])

    with pytest.raises(EmailInFlightError):
        contribution_receipt_send(contribution_id=contribution.pk)

    assert mail.outbox == []


def test_a_receipt_claimed_by_a_worker_that_died_is_sent_once_its_claim_is_stale(settings):
    contribution = _paid()
    contribution.receipt_claimed_at = timezone.now() - timedelta(
        seconds=settings.EMAIL_CLAIM_TIMEOUT_SECONDS + 1
    )
    contribution.save(update_fields=["receipt_claimed_at"])

    assert contribution_receipt_send(contribution_id=contribution.pk) is True

    assert len(mail.outbox) == 1
    contribution.refresh_from_db()
    assert contribution.receipt_sent_at is not None


def test_a_new_members_welcome_is_sent_once():
    membership = MembershipFactory()

    assert membership_welcome_send(membership_id=membership.pk) is True
    assert membership_welcome_send(membership_id=membership.pk) is False

    assert [message.to for message in mail.outbox] == [[membership.contributor.email]]
