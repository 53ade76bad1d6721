"""Thin Celery wrappers: the event flush, the live figures, the bandit's weights. Each is idempotent."""

from celery import shared_task

from engagement import events, live_figures, services
from engagement.models import BannerMessage


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def flush_banner_events() -> int:
    return events.events_flush()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def refresh_live_figures() -> None:
    live_figures.live_figures_refresh()


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=3)
def update_bandit_weights() -> None:
    for message in BannerMessage.objects.filter(is_active=True, test_mode=BannerMessage.TestMode.BANDIT):
        services.bandit_weights_update(message=message)
