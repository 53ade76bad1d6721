"""Logs never hold card numbers, readers' full emails, secrets or link tokens, whoever wrote the line; in
production each line is a JSON object with the request id and the Stripe event id."""

import io
import json
import logging

import pytest

from config.logs import JsonFormatter, RedactingFilter, redact
from payments.models import WebhookEvent
from tests.checkout.checkout_support import eager_tasks, gift, payment_method, post  # noqa: F401
from tests.payments.conftest import celery_eager, deliver_processed  # noqa: F401
from tests.payments.webhooks import make_event

EMAIL = "olena.petrenko@example.org"
CARD = "4242424242424242"


@pytest.mark.parametrize(
    ("line", "kept", "gone"),
    [
        (f"Sent receipt to {EMAIL}", "o***@example.org", EMAIL),
        (f"card={CARD} exp=12/30", "[card]", CARD),
        ("card 4242 4242 4242 4242 declined", "[card]", "4242 4242 4242 4242"),
        ("key sk_live_51HxAbCdEf used", "[secret]", "sk_live_51HxAbCdEf"),
        ("whsec_abcdef1234 mismatch", "[secret]", "whsec_abcdef1234"),
        ("client_secret pi_3Abc_secret_XyZ123", "[secret]", "_secret_XyZ123"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "[secret]", "eyJhbGciOiJIUzI1NiJ9"),
        ("GET /membership/12/link/AbC123:xyz/ 200", "/link/[token]", "AbC123:xyz"),
        ("POST /newsletters/unsubscribe/uuid:sig/ 200", "/unsubscribe/[token]", "uuid:sig"),
    ],
)
def test_a_line_is_redacted(line, kept, gone):
    assert kept in redact(line)
    assert gone not in redact(line)


def test_order_numbers_and_amounts_are_not_mistaken_for_cards():
    assert redact("contribution 1234567890123 for 2500 minor units") == (
        "contribution 1234567890123 for 2500 minor units"
    )


@pytest.fixture
def site_log():
    """What the configured console handler writes (settings.LOGGING), as production's JSON."""
    handler = next(
        h for h in logging.getLogger().handlers if any(isinstance(f, RedactingFilter) for f in h.filters)
    )
    stream, formatter = io.StringIO(), handler.formatter
    previous = handler.setStream(stream)
    handler.setFormatter(JsonFormatter())
    stripe_logger = logging.getLogger("stripe")
    level = stripe_logger.level
    stripe_logger.setLevel(logging.DEBUG)  # the SDK then logs every request's parameters
    yield stream
    stripe_logger.setLevel(level)
    handler.setFormatter(formatter)
    handler.setStream(previous)


@pytest.mark.django_db
@pytest.mark.integration
def test_a_checkout_leaves_no_card_email_or_secret_in_the_logs(client, localstripe, eager_tasks, site_log):  # noqa: F811
    post(client, gift(email=EMAIL, payment_method=payment_method(CARD)))

    written = site_log.getvalue()
    assert "o***@example.org" in written  # the SDK logged the email with its request: redacted
    assert EMAIL not in written
    assert "[card]" in written  # and the card number, made into a payment method: redacted
    assert CARD not in written
    assert "_secret_" not in written
    assert "sk_test_" not in written


@pytest.mark.django_db
def test_a_failing_webhook_logs_its_stripe_event_id_and_no_email(deliver_processed, site_log):  # noqa: F811
    intent = {"id": "pi_unknown", "object": "payment_intent", "receipt_email": EMAIL, "status": "succeeded"}
    event = make_event("payment_intent.succeeded", intent, event_id="evt_logs_1")

    deliver_processed(event)

    lines = [json.loads(line) for line in site_log.getvalue().splitlines()]
    failures = [line for line in lines if line.get("stripe_event_id") == "evt_logs_1"]
    assert WebhookEvent.objects.get(stripe_event_id="evt_logs_1").status != "processed"
    assert failures, lines
    assert all("request_id" in line for line in lines if line["logger"] == "django.request")
    assert EMAIL not in site_log.getvalue()


@pytest.mark.django_db
def test_every_answer_carries_a_request_id_and_keeps_the_proxys(client):
    assert len(client.get("/healthz")["X-Request-ID"]) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
