"""Celery tasks of memberships: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.emails import EmailInFlightError
from membership import dunning, emails
from payments import gateway
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


@shared_task(acks_late=True)
def run_membership_dunning() -> dict[str, int]:
    """The beat job (hourly): queue each email that is due, and end each grace period that ran out.

    Safe twice, late or on two workers at once: notices are rows unique per occasion and each is sent
    once; ending a membership is idempotent at Stripe and in the history.
    """
    now = timezone.now()
    notice_ids = dunning.notices_due(now=now)
    for notice_id in notice_ids:
        send_membership_notice.delay(notice_id=notice_id)
    expired = dunning.grace_expired(now=now)
    for membership_id in expired:
        end_membership_grace.delay(membership_id=membership_id)
    return {"notices": len(notice_ids), "graces_ended": len(expired)}


@shared_task(bind=True, acks_late=True, autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def send_membership_notice(self, *, notice_id: int) -> bool:
    """Send one dunning or reminder email unless it was sent or is no longer true."""
    try:
        return dunning.notice_send(notice_id=notice_id, now=timezone.now())
    except EmailInFlightError as exc:
        raise self.retry(exc=exc, countdown=settings.EMAIL_CLAIM_TIMEOUT_SECONDS) from exc


@shared_task(acks_late=True)
def send_payment_failed_notice(*, membership_id: int, invoice_id: str) -> None:
    """The renewal-failed email of one invoice: its notice row, then the send task."""
    notice_id = dunning.payment_failed_notice(membership_id=membership_id, invoice_id=invoice_id)
    send_membership_notice.delay(notice_id=notice_id)


def queue_payment_failed_notice(*, membership_id: int, invoice_id: str) -> None:
    """Called by the invoice.payment_failed handler for a membership now past due, on commit."""
    transaction.on_commit(
        lambda: send_payment_failed_notice.delay(membership_id=membership_id, invoice_id=invoice_id)
    )


@shared_task(acks_late=True, autoretry_for=(gateway.GatewayError, OSError), retry_backoff=True, max_retries=8)
def end_membership_grace(*, membership_id: int) -> None:
    """Cancel in Stripe and end one membership whose grace period ran out (nothing if it recovered)."""
    dunning.membership_grace_expire(membership_id=membership_id, now=timezone.now())


@shared_task(acks_late=True, autoretry_for=(gateway.GatewayError, OSError), retry_backoff=True, max_retries=8)
def store_membership_card(*, contribution_id: int) -> None:
    """Keep the card that paid a membership (its expiry is what the card reminder needs)."""
    dunning.membership_card_record(contribution_id=contribution_id)


def queue_membership_card(contribution: Contribution) -> None:
    """Registered for "a contribution succeeded": a membership's payment stores its card, on commit."""
    contribution_id = contribution.pk
    if contribution.membership_id and contribution.stripe_payment_method_id:
        transaction.on_commit(lambda: store_membership_card.delay(contribution_id=contribution_id))
