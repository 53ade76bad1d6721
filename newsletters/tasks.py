"""Background work of newsletters: the mailing tool's webhook, retried with backoff, and its sweep."""

from datetime import timedelta

import requests
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from newsletters.models import SignupEvent
from newsletters.webhooks import webhook_deliver

SWEEP_AFTER = timedelta(minutes=5)
SWEEP_WITHIN = timedelta(days=3)


@shared_task(
    acks_late=True,
    autoretry_for=(requests.RequestException,),
    retry_backoff=True,
    retry_backoff_max=3600,
    max_retries=10,
)
def deliver_signup_webhook(*, event_id: int) -> bool:
    return webhook_deliver(event_id=event_id)


@shared_task(acks_late=True)
def deliver_pending_signup_webhooks() -> int:
    """Events whose task was lost (broker down when it was queued): queued again. Safe to overlap with
    the task itself, which skips an event once delivered."""
    if not settings.NEWSLETTER_WEBHOOK_URL:
        return 0
    now = timezone.now()
    ids = list(
        SignupEvent.objects.filter(
            webhook_delivered_at__isnull=True,
            at__lt=now - SWEEP_AFTER,
            at__gt=now - SWEEP_WITHIN,
        )
        .exclude(kind=SignupEvent.Kind.REQUESTED)
        .values_list("pk", flat=True)[:500]
    )
    for event_id in ids:
        deliver_signup_webhook.delay(event_id=event_id)
    return len(ids)
