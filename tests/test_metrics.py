"""/metrics: only for Prometheus with the bearer token, and each figure what the database and the task
counters hold at the moment of the scrape."""

from datetime import timedelta

import pytest
from celery.signals import task_failure, task_retry
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from config.celery import app as celery_app
from payments.models import Contribution, WebhookEvent
from tests.factories import ContributionFactory

TOKEN = "metrics-token-for-tests"
FAMILIES = {
    "stripe_webhook_backlog_events",
    "stripe_webhook_oldest_unprocessed_age_seconds",
    "stripe_webhook_failed_events",
    "payments_failed_contributions_last_hour",
    "checkout_breaker_open",
    "checkout_breaker_window_payments",
    "checkout_breaker_window_failed_payments",
    "celery_task_failures",
    "celery_task_retries",
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def _event(status: str, *, received_ago: timedelta = timedelta(0)) -> WebhookEvent:
    event = WebhookEvent.objects.create(
        stripe_event_id=f"evt_metrics_{WebhookEvent.objects.count()}",
        type="charge.succeeded",
        payload="{}",
        status=status,
    )
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=timezone.now() - received_ago)
    return event


def _failed(code: str, *, count: int = 1) -> None:
    ContributionFactory.create_batch(count, status=Contribution.Status.FAILED, failure_code=code)


def test_metrics_are_not_found_without_a_configured_token(client, settings):
    settings.METRICS_TOKEN = ""

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer anything").status_code == 404


def test_metrics_refuse_a_request_without_a_token(client, token):
    response = client.get("/metrics")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_metrics_refuse_a_wrong_token(client, token):
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token").status_code == 401
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401


def test_metrics_answer_prometheus_text_with_every_family(client, token):
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    names = {family.name for family in text_string_to_metric_families(response.content.decode())}
    assert names >= FAMILIES


def test_backlog_counts_unprocessed_events_and_the_age_of_the_oldest(client, token):
    _event(WebhookEvent.Status.RECEIVED, received_ago=timedelta(minutes=10))
    _event(WebhookEvent.Status.PROCESSING, received_ago=timedelta(minutes=2))
    _event(WebhookEvent.Status.PROCESSED, received_ago=timedelta(hours=1))
    _event(WebhookEvent.Status.IGNORED, received_ago=timedelta(hours=1))

    samples = scrape(client)

    assert samples[("stripe_webhook_backlog_events", ())] == 2
    assert 600 <= samples[("stripe_webhook_oldest_unprocessed_age_seconds", ())] < 660


def test_backlog_age_is_zero_when_nothing_waits(client, token):
    _event(WebhookEvent.Status.PROCESSED, received_ago=timedelta(hours=1))

    assert scrape(client)[("stripe_webhook_oldest_unprocessed_age_seconds", ())] == 0


def test_failed_events_are_counted_apart_from_the_backlog(client, token):
    _event(WebhookEvent.Status.FAILED, received_ago=timedelta(days=1))
    _event(WebhookEvent.Status.FAILED)
    _event(WebhookEvent.Status.RECEIVED)

    samples = scrape(client)

    assert samples[("stripe_webhook_failed_events", ())] == 2
    assert samples[("stripe_webhook_backlog_events", ())] == 1


def test_payment_failures_of_the_last_hour_are_counted_by_reason(client, token):
    _failed("card_declined", count=2)
    _failed("insufficient_funds")
    _failed("")
    ContributionFactory(status=Contribution.Status.SUCCEEDED)
    old = ContributionFactory(status=Contribution.Status.FAILED, failure_code="expired_card")
    Contribution.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))

    samples = scrape(client)

    failures = {
        dict(labels)["reason"]: value
        for (name, labels), value in samples.items()
        if name == "payments_failed_contributions_last_hour"
    }
    assert failures == {"card_declined": 2, "insufficient_funds": 1, "unknown": 1}


def test_breaker_is_closed_while_payments_go_through(client, token):
    ContributionFactory.create_batch(3, status=Contribution.Status.SUCCEEDED)

    samples = scrape(client)

    assert samples[("checkout_breaker_open", ())] == 0
    assert samples[("checkout_breaker_window_payments", ())] == 3


def test_breaker_is_open_when_too_many_recent_payments_failed(client, token, settings):
    settings.CHECKOUT_BREAKER_MIN_ATTEMPTS = 10
    settings.CHECKOUT_BREAKER_FAILURE_RATE = 0.5
    _failed("card_declined", count=12)
    ContributionFactory.create_batch(3, status=Contribution.Status.SUCCEEDED)

    samples = scrape(client)

    assert samples[("checkout_breaker_open", ())] == 1
    assert samples[("checkout_breaker_window_payments", ())] == 15
    assert samples[("checkout_breaker_window_failed_payments", ())] == 12


def test_task_failures_and_retries_are_counted_from_celery_signals(client, token):
    task = celery_app.tasks["payments.tasks.process_webhook_event"]
    other = celery_app.tasks["payments.tasks.sweep_unprocessed_webhook_events"]
    for _ in range(2):
        task_failure.send(sender=task, task_id="t1", exception=RuntimeError("boom"), args=(), kwargs={})
    task_retry.send(sender=task, request=None, reason="Stripe timed out", einfo=None)

    samples = scrape(client)

    assert samples[("celery_task_failures_total", (("task", task.name),))] == 2
    assert samples[("celery_task_retries_total", (("task", task.name),))] == 1
    assert samples[("celery_task_failures_total", (("task", other.name),))] == 0


def test_a_scrape_reads_the_database_in_three_aggregate_queries(client, token, django_assert_max_num_queries):
    _event(WebhookEvent.Status.RECEIVED)
    _failed("card_declined", count=3)

    with django_assert_max_num_queries(3):
        client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
