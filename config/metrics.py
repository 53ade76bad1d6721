"""What /metrics tells Prometheus: the Stripe event backlog, failed payments by reason, the checkout
circuit breaker and Celery task failures and retries.

A custom collector on a private registry reads every value afresh on each scrape (a few aggregate
queries and one cache round trip), so any web host answers for the whole site: no per-process counters.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta

from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import CounterMetricFamily, GaugeMetricFamily, Metric

from checkout.breaker import breaker_state
from config import task_counters
from config.celery import app as celery_app
from payments.selectors import contribution_failures_by_code
from payments.webhooks.selectors import webhook_backlog

CONTENT_TYPE = CONTENT_TYPE_LATEST
PAYMENT_FAILURES_WINDOW = timedelta(hours=1)


class PlatformCollector:
    def describe(self) -> list[Metric]:
        """Nothing declared up front, so registering the collector reads no data."""
        return []

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        yield from _webhook_metrics(now)
        yield from _payment_failure_metrics(now)
        yield from _breaker_metrics()
        yield from _task_metrics()


def _webhook_metrics(now: datetime) -> Iterator[Metric]:
    backlog = webhook_backlog()
    oldest = backlog.oldest_unprocessed_received_at
    yield GaugeMetricFamily(
        "stripe_webhook_backlog_events",
        "Stripe events stored and not processed yet (received, or being processed).",
        value=backlog.unprocessed,
    )
    yield GaugeMetricFamily(
        "stripe_webhook_oldest_unprocessed_age_seconds",
        "Seconds since the oldest unprocessed Stripe event was received (0 when none waits).",
        value=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
    )
    yield GaugeMetricFamily(
        "stripe_webhook_failed_events",
        "Stripe events whose processing failed (retried later by the sweep, or waiting for staff).",
        value=backlog.failed,
    )


def _payment_failure_metrics(now: datetime) -> Iterator[Metric]:
    family = GaugeMetricFamily(
        "payments_failed_contributions_last_hour",
        "Contributions started in the last hour that failed, by Stripe's decline or error code.",
        labels=["reason"],
    )
    for reason, count in sorted(contribution_failures_by_code(since=now - PAYMENT_FAILURES_WINDOW).items()):
        family.add_metric([reason], count)
    yield family


def _breaker_metrics() -> Iterator[Metric]:
    state = breaker_state(record_change=False)
    yield GaugeMetricFamily(
        "checkout_breaker_open",
        "1 while the checkout circuit breaker is tripped (too many recent payments failed), else 0.",
        value=1 if state.tripped else 0,
    )
    yield GaugeMetricFamily(
        "checkout_breaker_window_payments",
        "Decided payments (succeeded or failed) in the breaker's window.",
        value=state.attempts,
    )
    yield GaugeMetricFamily(
        "checkout_breaker_window_failed_payments",
        "Failed payments in the breaker's window.",
        value=state.failed,
    )


def _task_metrics() -> Iterator[Metric]:
    names = sorted(name for name in celery_app.tasks if not name.startswith("celery."))
    for kind, metric, help_text in [
        (task_counters.FAILURES, "celery_task_failures", "Celery tasks that failed, by task."),
        (task_counters.RETRIES, "celery_task_retries", "Celery task retries, by task."),
    ]:
        family = CounterMetricFamily(metric, help_text, labels=["task"])
        for name, count in task_counters.task_counters_read(kind=kind, task_names=names).items():
            family.add_metric([name], count)
        yield family


registry = CollectorRegistry()
registry.register(PlatformCollector())


def metrics_exposition() -> bytes:
    return generate_latest(registry)
