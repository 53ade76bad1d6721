"""A real Celery worker on Redis: events survive a stopped worker and an unreachable broker."""

import contextlib
import time

import pytest
from celery.contrib.testing.worker import start_worker

from config.celery import app
from payments.models import Contribution, LedgerEntry, WebhookEvent
from payments.tasks import sweep_unprocessed_webhook_events
from payments.webhooks.publisher import publisher
from tests.conftest import requires_broker
from tests.factories import ContributionFactory
from tests.localstripe import free_port
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import deliver

pytestmark = [
    pytest.mark.integration,
    pytest.mark.resilience,
    requires_broker,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def queued_for_real():
    """Publish tasks to the broker (never eagerly) and start from an empty queue."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    yield app
    app.conf.task_always_eager = previous


@contextlib.contextmanager
def running_worker():
    with start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10
    ) as worker:
        yield worker


@contextlib.contextmanager
def broker_at(url: str, monkeypatch):
    """Point the app's publishing at another broker URL (a dead port), then back.

    Celery reads CELERY_BROKER_URL from the environment before its configuration, so both change.
    """
    previous = app.conf.broker_url
    with monkeypatch.context() as patch:
        patch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
        app._after_fork()  # drop the connection and producer pools built for the old URL
        try:
            yield
        finally:
            app.conf.broker_url = previous
    app._after_fork()


def wait_until(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def _payments(count: int) -> list[dict]:
    for number in range(count):
        intent_id = flows.paid_intent(amount=1000 + number)
        ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=1000 + number)
    return flows.events("payment_intent.succeeded")


def test_events_delivered_while_the_worker_is_down_are_processed_when_it_returns(
    localstripe, client, queued_for_real
):
    events = _payments(3)

    responses = [deliver(client, event) for event in events]  # no worker running: tasks wait in Redis

    assert [response.status_code for response in responses] == [200, 200, 200]
    assert WebhookEvent.objects.filter(status="received").count() == 3
    with running_worker():
        assert wait_until(lambda: WebhookEvent.objects.filter(status="processed").count() == 3)
    assert LedgerEntry.objects.filter(kind="charge").count() == 3
    assert Contribution.objects.filter(status="succeeded").count() == 3


def test_events_delivered_while_the_broker_is_unreachable_are_stored_and_swept_later(
    localstripe, client, queued_for_real, settings, monkeypatch
):
    events = _payments(2)

    with broker_at(f"redis://127.0.0.1:{free_port()}/0", monkeypatch):
        responses = [deliver(client, event) for event in events]
        assert publisher.flush(timeout=30)  # the batch publisher tried while the broker was down

    assert [response.status_code for response in responses] == [200, 200]
    assert WebhookEvent.objects.filter(status="received").count() == 2
    settings.WEBHOOK_SWEEP_AFTER_SECONDS = 0
    with running_worker():
        sweep_unprocessed_webhook_events.delay()
        assert wait_until(lambda: WebhookEvent.objects.filter(status="processed").count() == 2)
    assert LedgerEntry.objects.filter(kind="charge").count() == 2
    assert set(WebhookEvent.objects.values_list("attempts_log__trigger", flat=True)) == {"sweep"}
