"""An email is sent at most once per row, and a failed send is sent by the retry."""

import pytest
from django.core import mail

from payments.emails import contribution_receipt_send
from payments.models import Contribution
from tests.factories import ContributionFactory

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
