"""Stored events are processed once, in any order; other modes and unknown types are ignored."""

from datetime import timedelta

import pytest
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone

from payments.models import LedgerEntry, WebhookEvent, WebhookEventAttempt
from payments.tasks import process_webhook_events
from payments.webhooks import processing
from tests.factories import ContributionFactory, MembershipFactory
from tests.localstripe import free_port
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event
from tests.stripe_fixtures import stripe_object

pytestmark = pytest.mark.django_db


def test_unknown_event_type_is_stored_and_ignored(deliver_processed):
    event = make_event("plan.created", stripe_object("event")["data"]["object"])

    response = deliver_processed(event)

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.IGNORED
    assert stored.attempts_log.get().note == "no handler for plan.created"


def test_live_event_on_a_test_mode_site_is_ignored(deliver_processed, settings):
    settings.STRIPE_LIVEMODE = False
    event = make_event("customer.subscription.deleted", stripe_object("subscription"), livemode=True)

    deliver_processed(event)

    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.IGNORED
    assert "livemode" in stored.attempts_log.get().note


def test_processed_event_is_not_processed_again():
    processing.webhook_event_store(
        event=processing.gateway.parse_event(make_event("plan.created", {"id": "plan_1"}))
    )
    stripe_event_id = WebhookEvent.objects.get().stripe_event_id

    first = processing.webhook_event_process(stripe_event_id=stripe_event_id, final_attempt=False)
    second = processing.webhook_event_process(stripe_event_id=stripe_event_id, final_attempt=False)

    assert (first, second) == ("ignored", "skipped")
    assert WebhookEventAttempt.objects.count() == 1


def _dead_port() -> str:
    return f"http://127.0.0.1:{free_port()}"


@pytest.mark.integration
def test_handler_failing_every_try_ends_failed_with_its_history(localstripe, deliver_processed, settings):
    intent_id = flows.paid_intent()
    ContributionFactory(stripe_payment_intent_id=intent_id)
    event = flows.events("payment_intent.succeeded")[0]
    settings.STRIPE_API_BASE = _dead_port()  # Stripe unreachable for every try

    response = deliver_processed(event)

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.FAILED
    assert stored.attempts == settings.WEBHOOK_MAX_RETRIES + 1
    assert "GatewayError" in stored.last_error
    outcomes = list(stored.attempts_log.order_by("started_at", "id").values_list("outcome", flat=True))
    assert outcomes == ["retrying"] * settings.WEBHOOK_MAX_RETRIES + ["failed"]
    assert "Traceback" in stored.attempts_log.first().traceback
    assert not LedgerEntry.objects.exists()


@pytest.mark.integration
def test_failed_event_re_run_from_the_admin_is_processed(
    localstripe, deliver_processed, settings, admin_client
):
    intent_id = flows.paid_intent(amount=3100)
    ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=3100)
    event = flows.events("payment_intent.succeeded")[0]
    stripe_base = settings.STRIPE_API_BASE
    settings.STRIPE_API_BASE = _dead_port()
    deliver_processed(event)
    stored = WebhookEvent.objects.get()
    assert stored.status == WebhookEvent.Status.FAILED
    settings.STRIPE_API_BASE = stripe_base  # Stripe is back

    response = admin_client.post(
        reverse("admin:payments_webhookevent_changelist"),
        {"action": "rerun_events", "_selected_action": [stored.pk]},
        follow=True,
    )

    assert response.status_code == 200
    stored.refresh_from_db()
    assert stored.status == WebhookEvent.Status.PROCESSED
    assert stored.attempts_log.first().trigger == "staff"
    assert LedgerEntry.objects.get().amount_minor == 3100


def test_sweep_processes_events_stored_while_the_broker_was_down(settings):
    settings.WEBHOOK_SWEEP_AFTER_SECONDS = 0
    processing.webhook_event_store(
        event=processing.gateway.parse_event(make_event("plan.created", {"id": "p"}))
    )

    outcomes = processing.webhook_events_sweep()

    assert outcomes == {"ignored": 1}
    assert WebhookEvent.objects.get().attempts_log.get().trigger == "sweep"


def test_sweep_leaves_fresh_events_to_their_task(settings):
    settings.WEBHOOK_SWEEP_AFTER_SECONDS = 60
    processing.webhook_event_store(
        event=processing.gateway.parse_event(make_event("plan.created", {"id": "p"}))
    )

    assert processing.webhook_events_sweep() == {}
    assert WebhookEvent.objects.get().status == WebhookEvent.Status.RECEIVED


def test_event_claimed_by_a_dead_worker_is_taken_over(settings):
    processing.webhook_event_store(
        event=processing.gateway.parse_event(make_event("plan.created", {"id": "p"}))
    )
    stale = timezone.now() - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS + 1)
    WebhookEvent.objects.update(status=WebhookEvent.Status.PROCESSING, claimed_at=stale)

    outcome = processing.webhook_event_process(
        stripe_event_id=WebhookEvent.objects.get().stripe_event_id, final_attempt=False
    )

    assert outcome == "ignored"


def test_event_claimed_by_a_live_worker_is_left_alone():
    processing.webhook_event_store(
        event=processing.gateway.parse_event(make_event("plan.created", {"id": "p"}))
    )
    WebhookEvent.objects.update(status=WebhookEvent.Status.PROCESSING, claimed_at=timezone.now())

    outcome = processing.webhook_event_process(
        stripe_event_id=WebhookEvent.objects.get().stripe_event_id, final_attempt=False
    )

    assert outcome == "skipped"


def test_test_mode_event_on_a_live_site_is_ignored(deliver_processed, settings):
    settings.STRIPE_LIVEMODE = True
    membership = MembershipFactory(stripe_subscription_id="sub_mode")
    canceled = stripe_object("subscription", id="sub_mode", status="canceled")

    deliver_processed(make_event("customer.subscription.deleted", canceled, livemode=False))

    assert WebhookEvent.objects.get().status == WebhookEvent.Status.IGNORED
    membership.refresh_from_db()
    assert membership.status == "active"


def test_an_event_whose_claim_fails_in_a_batch_does_not_stop_the_others(celery_eager, monkeypatch):
    first, second = (
        make_event("plan.created", {"id": f"plan_batch_{n}"}, event_id=f"evt_batch_{n}") for n in (1, 2)
    )
    for event in (first, second):
        processing.webhook_event_store(event=processing.gateway.parse_event(event))
    real_claim = processing._claim
    failures = iter([True])

    def claim_failing_once(*, stripe_event_id, **how):
        if stripe_event_id == first["id"] and next(failures, False):
            raise OperationalError("connection lost while claiming")
        return real_claim(stripe_event_id=stripe_event_id, **how)

    monkeypatch.setattr(processing, "_claim", claim_failing_once)

    outcomes = process_webhook_events([first["id"], second["id"]])

    assert outcomes == {"retrying": 1, "ignored": 1}
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"ignored"}  # the retry ran it
