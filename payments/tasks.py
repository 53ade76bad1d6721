"""Celery tasks of the payments app: thin wrappers that take ids and call one service."""

from celery import shared_task
from django.conf import settings

from payments.webhooks import processing


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    max_retries=settings.WEBHOOK_MAX_RETRIES,
)
def process_webhook_event(self, stripe_event_id: str) -> str:
    """Process one stored Stripe event; a failure is retried with backoff, the last one marks it failed."""
    return processing.webhook_event_process(
        stripe_event_id=stripe_event_id, final_attempt=self.request.retries >= self.max_retries
    )


@shared_task(acks_late=True)
def sweep_unprocessed_webhook_events() -> dict[str, int]:
    """Periodic (beat): events stored while the broker was down, or whose task was lost."""
    return processing.webhook_events_sweep()


@shared_task(acks_late=True)
def reconcile_stripe_nightly() -> int:
    """Nightly (beat): reconcile the last RECONCILE_WINDOW_DAYS; returns the report's id."""
    from payments import reconciliation

    return reconciliation.reconcile_stripe(since=reconciliation.default_since()).pk
