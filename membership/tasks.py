"""Celery tasks of memberships: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.conf import settings
from django.db import transaction

from accounts.emails import EmailInFlightError
from membership import emails
from payments.models import Contribution


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_membership_welcome(self, *, membership_id: int) -> bool:
    """Welcome a new member once; a second run sends nothing.

    While another worker holds the welcome, try again once its claim could have gone stale.
    """
    try:
        return emails.membership_welcome_send(membership_id=membership_id)
    except EmailInFlightError as exc:
        raise self.retry(exc=exc, countdown=settings.EMAIL_CLAIM_TIMEOUT_SECONDS) from exc


def queue_membership_welcome(contribution: Contribution) -> None:
    """Registered for "a contribution succeeded": a membership's payment queues the welcome on commit."""
    membership_id = contribution.membership_id
    if membership_id:
        transaction.on_commit(lambda: send_membership_welcome.delay(membership_id=membership_id))
