"""Celery tasks of the payments app: thin wrappers that take ids and call one service.

Webhook processing, the periodic sweep and reconciliation, the receipt and the refund notice. Nothing
in payments imports this module but the publisher and `PaymentsConfig.ready()`, which wires the
receipt to the moment a contribution succeeds and the refund notice to the moment a refund is recorded.
"""

import logging
import uuid

from celery import shared_task
from django.conf import settings
from django.db import transaction

from accounts.emails import EmailInFlightError
from payments import emails
from payments.ledger import reconciliation
from payments.models import Contribution, RefundNotice
from payments.webhooks import processing

logger = logging.getLogger(__name__)

RETRY = {"acks_late": True, "autoretry_for": (OSError,), "retry_backoff": True, "max_retries": 8}


@shared_task(bind=True, **RETRY)
def send_contribution_receipt(self, *, contribution_id: int) -> bool:
    """The receipt for a succeeded contribution; a second run sends nothing.

    While another worker holds the receipt, try again once its claim could have gone stale.
    """
    try:
        return emails.contribution_receipt_send(contribution_id=contribution_id)
    except EmailInFlightError as exc:
        raise self.retry(exc=exc, countdown=settings.EMAIL_CLAIM_TIMEOUT_SECONDS) from exc


def queue_contribution_receipt(contribution: Contribution) -> None:
    """Registered for "a contribution succeeded": the receipt is queued once the transaction commits."""
    contribution_id = contribution.pk
    transaction.on_commit(lambda: send_contribution_receipt.delay(contribution_id=contribution_id))


def queue_refund_notice(notice: RefundNotice) -> None:
    """Registered for "a refund was recorded": its email is queued once the transaction commits."""
    notice_id = notice.pk
    transaction.on_commit(lambda: send_refund_notice.delay(notice_id=notice_id))


@shared_task(bind=True, **RETRY)
def send_refund_notice(self, *, notice_id: int) -> bool:
    """The reader's email about one refund; a second run sends nothing."""
    try:
        return emails.refund_notice_send(notice_id=notice_id)
    except EmailInFlightError as exc:
        raise self.retry(exc=exc, countdown=settings.EMAIL_CLAIM_TIMEOUT_SECONDS) from exc


@shared_task(bind=True, acks_late=True, max_retries=settings.WEBHOOK_MAX_RETRIES + 4)
def process_webhook_event(self, stripe_event_id: str) -> str:
    """Process one stored Stripe event; a failed attempt is retried when the event says it is due.

    The task id names the run: a Celery retry keeps it, so this chain may run its own retries while a
    duplicate delivery's task finds the event waiting and does nothing. Celery's own retry limit is a
    backstop only (e.g. back-to-back retries of tasks run in-process); the event decides when to stop.
    """
    outcome = processing.webhook_event_process(
        stripe_event_id=stripe_event_id, claimant=self.request.id or "", reraise=False
    )
    if outcome == processing.Outcome.RETRYING:
        raise self.retry(countdown=processing.seconds_until_retry(stripe_event_id=stripe_event_id))
    return outcome


@shared_task(bind=True, acks_late=True)
def process_webhook_events(self, stripe_event_ids: list[str]) -> dict[str, int]:
    """A batch published by the webhook view: each event that fails is retried alone, when it is due."""
    outcomes: dict[str, int] = {}
    for stripe_event_id in stripe_event_ids:
        try:
            outcome = processing.webhook_event_process(
                stripe_event_id=stripe_event_id, claimant=self.request.id or "", reraise=False
            )
        except Exception:  # the claim or its history could not be written: this event alone waits
            logger.exception("Stripe event %s could not run in its batch; retrying it alone", stripe_event_id)
            outcome = processing.Outcome.RETRYING
        if outcome == processing.Outcome.RETRYING:
            _retry_alone(stripe_event_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def _retry_alone(stripe_event_id: str) -> None:
    """Publish the event's own task, which owns its next try (so no other run starts early)."""
    task_id = str(uuid.uuid4())
    processing.webhook_event_hand_over(stripe_event_id=stripe_event_id, claimant=task_id)
    process_webhook_event.apply_async(
        args=[stripe_event_id],
        task_id=task_id,
        countdown=processing.seconds_until_retry(stripe_event_id=stripe_event_id),
    )


@shared_task(acks_late=True)
def sweep_unprocessed_webhook_events() -> dict[str, int]:
    """Periodic (beat): events stored while the broker was down, or whose task was lost."""
    return processing.webhook_events_sweep()


@shared_task(acks_late=True)
def reconcile_stripe_nightly() -> int:
    """Nightly (beat): reconcile the last RECONCILE_WINDOW_DAYS; returns the report's id."""
    return reconciliation.stripe_reconcile(since=reconciliation.default_since()).pk
