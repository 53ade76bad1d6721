"""Stored events are processed once, in any order; other modes and unknown types are ignored."""

import pytest

from payments.models import WebhookEvent, WebhookEventAttempt
from payments.webhooks import processing
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
