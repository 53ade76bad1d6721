"""When a failed event is tried again: never before it is due, never by a second chain, never given up
while time can still cure it; and what a dead worker leaves behind is taken over and closed."""

from datetime import timedelta

import pytest
from django.utils import timezone

from payments import registry
from payments.models import Contribution, WebhookEvent, WebhookEventAttempt
from payments.webhooks import processing
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event

pytestmark = pytest.mark.django_db


def _stored(event: dict) -> WebhookEvent:
    processing.webhook_event_store(event=processing.gateway.parse_event(event))
    return WebhookEvent.objects.get(stripe_event_id=event["id"])


def _unknown_payment(settings) -> WebhookEvent:
    """A payment made outside the site a moment ago: recorded only after the grace period."""
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 600
    flows.paid_intent(amount=700)
    return _stored(flows.events("payment_intent.succeeded")[0])


@pytest.fixture
def handler_raising(monkeypatch):
    """Register a handler for a test-only event type that raises what the test says (then unregister)."""

    def install(error: Exception) -> str:
        def failing(event):
            raise error

        monkeypatch.setitem(registry._event_handlers, "test.failing", failing)
        return "test.failing"

    return install


@pytest.mark.integration
def test_a_payment_not_known_yet_waits_for_its_grace_period_however_many_tries_it_had(localstripe, settings):
    event = _unknown_payment(settings)
    WebhookEvent.objects.filter(pk=event.pk).update(attempts=settings.WEBHOOK_MAX_RETRIES + 5)

    outcome = processing.webhook_event_process(stripe_event_id=event.stripe_event_id, reraise=False)

    event.refresh_from_db()
    assert (outcome, event.status) == ("retrying", "received")
    grace_ends = event.stripe_created_at + timedelta(seconds=settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS)
    assert event.retry_at >= grace_ends
    assert processing.seconds_until_retry(stripe_event_id=event.stripe_event_id) > 500


@pytest.mark.integration
def test_the_try_after_the_grace_period_records_the_payment(localstripe, settings):
    event = _unknown_payment(settings)
    processing.webhook_event_process(stripe_event_id=event.stripe_event_id, claimant="chain", reraise=False)
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    WebhookEvent.objects.filter(pk=event.pk).update(retry_at=timezone.now())

    outcome = processing.webhook_event_process(stripe_event_id=event.stripe_event_id, reraise=False)

    assert outcome == "processed"
    assert Contribution.objects.get().status == "succeeded"


def test_a_duplicate_delivery_does_not_start_a_second_retry_chain(handler_raising):
    event = _stored(make_event(handler_raising(ConnectionError("Stripe is down")), {"id": "x"}))
    processing.webhook_event_process(stripe_event_id=event.stripe_event_id, claimant="task-a", reraise=False)

    duplicate = processing.webhook_event_process(stripe_event_id=event.stripe_event_id, claimant="task-b")
    own_retry = processing.webhook_event_process(
        stripe_event_id=event.stripe_event_id, claimant="task-a", reraise=False
    )

    assert duplicate == "skipped"
    assert own_retry == "retrying"
    assert WebhookEventAttempt.objects.filter(event=event).count() == 2


def test_a_failure_time_can_cure_is_tried_again_by_the_sweep_once_due(handler_raising, settings, monkeypatch):
    event = _stored(make_event(handler_raising(processing.gateway.GatewayError("Stripe down")), {"id": "x"}))
    processing.webhook_event_process(stripe_event_id=event.stripe_event_id, final_attempt=True, reraise=False)
    event.refresh_from_db()
    assert event.status == "failed"
    assert event.retry_at is not None
    assert event.stripe_event_id not in processing.unprocessed_event_ids()

    monkeypatch.setitem(registry._event_handlers, "test.failing", lambda event: "Stripe is back")
    WebhookEvent.objects.filter(pk=event.pk).update(retry_at=timezone.now() - timedelta(seconds=1))
    outcomes = processing.webhook_events_sweep()

    event.refresh_from_db()
    assert outcomes == {"processed": 1}
    assert event.status == "processed"


def test_a_failure_time_cannot_cure_waits_for_staff(handler_raising):
    event = _stored(make_event(handler_raising(ValueError("a bug in a handler")), {"id": "x"}))

    processing.webhook_event_process(stripe_event_id=event.stripe_event_id, final_attempt=True, reraise=False)

    event.refresh_from_db()
    assert (event.status, event.retry_at) == ("failed", None)
    assert event.stripe_event_id not in processing.unprocessed_event_ids()


def test_curable_failures_stop_being_retried_after_their_days(handler_raising, settings):
    event = _stored(make_event(handler_raising(processing.gateway.GatewayError("Stripe down")), {"id": "x"}))
    old = timezone.now() - timedelta(days=settings.WEBHOOK_FAILED_RETRY_DAYS, seconds=1)
    WebhookEvent.objects.filter(pk=event.pk).update(received_at=old)

    processing.webhook_event_process(stripe_event_id=event.stripe_event_id, final_attempt=True, reraise=False)

    event.refresh_from_db()
    assert (event.status, event.retry_at) == ("failed", None)


def test_a_task_redelivered_after_its_worker_died_takes_its_claim_over_and_closes_the_lost_run():
    event = _stored(make_event("plan.created", {"id": "plan_lost"}))
    WebhookEvent.objects.filter(pk=event.pk).update(
        status="processing", claimed_at=timezone.now(), claimed_by="task-a"
    )
    lost = WebhookEventAttempt.objects.create(event=event, trigger="task", started_at=timezone.now())

    outcome = processing.webhook_event_process(stripe_event_id=event.stripe_event_id, claimant="task-a")

    lost.refresh_from_db()
    assert outcome == "ignored"
    assert lost.outcome == "abandoned"
    assert lost.finished_at is not None


def test_a_live_claim_of_another_task_is_left_alone():
    event = _stored(make_event("plan.created", {"id": "plan_busy"}))
    WebhookEvent.objects.filter(pk=event.pk).update(
        status="processing", claimed_at=timezone.now(), claimed_by="task-a"
    )

    assert (
        processing.webhook_event_process(stripe_event_id=event.stripe_event_id, claimant="task-b")
        == "skipped"
    )


@pytest.mark.integration
def test_payments_made_outside_the_site_are_all_recorded_after_their_grace_period(localstripe, settings):
    """The defect: retries with backoff ran out in ~90 s, before the 120 s grace period, and failed."""
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 120
    for number in range(3):
        flows.paid_intent(amount=500 + number)
    events = [_stored(event) for event in flows.events("payment_intent.succeeded")]
    for event in events:  # every retry the chain can make, back to back, before the grace period ends
        for _try in range(settings.WEBHOOK_MAX_RETRIES + 2):
            processing.webhook_event_process(
                stripe_event_id=event.stripe_event_id, claimant="c", reraise=False
            )

    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"received"}
    settings.STRIPE_UNKNOWN_PAYMENT_GRACE_SECONDS = 0
    WebhookEvent.objects.update(retry_at=timezone.now())
    for event in events:
        processing.webhook_event_process(stripe_event_id=event.stripe_event_id, claimant="c", reraise=False)

    assert Contribution.objects.filter(status="succeeded").count() == 3
