"""Celery tasks of memberships: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.db import transaction

from membership import emails
from payments.models import Contribution


@shared_task(acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_membership_welcome(*, membership_id: int) -> bool:
    """Welcome a new member once; a second run sends nothing."""
    return emails.membership_welcome_send(membership_id=membership_id)


def queue_membership_welcome(contribution: Contribution) -> None:
    """Registered for "a contribution succeeded": a membership's payment queues the welcome on commit."""
    membership_id = contribution.membership_id
    if membership_id:
        transaction.on_commit(lambda: send_membership_welcome.delay(membership_id=membership_id))
