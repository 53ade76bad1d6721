"""POST /stripe/webhook: verify, store once, answer fast; bad input stores nothing."""

import json
import time

import pytest
from django.db import connection

from payments.models import WebhookEvent
from payments.webhooks.views import stripe_webhook
from tests.payments.webhooks import deliver, make_event, sign
from tests.stripe_fixtures import stripe_object

pytestmark = pytest.mark.django_db


def _event(**kwargs):
    return make_event("plan.created", stripe_object("event")["data"]["object"], **kwargs)


def test_signed_event_is_stored_and_answered_200(client):
    event = _event()

    response = deliver(client, event)

    assert response.status_code == 200
    stored = WebhookEvent.objects.get()
    assert (stored.stripe_event_id, stored.type, stored.object_id) == (
        event["id"],
        "plan.created",
        "price_1PgafmB7WZ01zgkW6dKueIc5",
    )
    assert stored.payload_data["data"]["object"]["amount"] == 2000


def test_same_event_delivered_twice_is_stored_once(client):
    event = _event()

    first, second = deliver(client, event), deliver(client, event)

    assert (first.status_code, second.status_code) == (200, 200)
    assert WebhookEvent.objects.count() == 1


def test_wrong_signature_is_rejected_and_nothing_stored(client):
    event = _event()
    body = json.dumps(event)

    response = deliver(client, body, signature=sign(body, secret="whsec_someone_else"))

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_missing_signature_is_rejected_and_nothing_stored(client):
    body = json.dumps(_event())

    response = client.post("/stripe/webhook", data=body, content_type="application/json")

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_signature_older_than_the_tolerance_is_rejected(client, settings):
    body = json.dumps(_event())
    old = int(time.time()) - settings.STRIPE_WEBHOOK_TOLERANCE_SECONDS - 60

    response = deliver(client, body, signature=sign(body, timestamp=old))

    assert response.status_code == 400
    assert "timestamp" in response.json()["error"]["message"].lower()
    assert not WebhookEvent.objects.exists()


def test_signed_body_that_is_not_json_is_rejected(client):
    body = "this is not json"

    response = deliver(client, body)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_signed_json_that_is_not_an_event_is_rejected(client):
    response = deliver(client, json.dumps({"hello": "world"}))

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()


def test_five_megabyte_body_is_refused_with_413(client):
    body = json.dumps({**_event(), "padding": "x" * 5 * 1024 * 1024})

    response = deliver(client, body)

    assert response.status_code == 413
    assert not WebhookEvent.objects.exists()


def test_body_longer_than_its_declared_length_is_capped(rf, settings):
    settings.STRIPE_WEBHOOK_MAX_BYTES = 1000
    body = json.dumps({**_event(), "padding": "x" * 5000})
    request = rf.post("/stripe/webhook", data=body, content_type="application/json")
    request.META["CONTENT_LENGTH"] = "10"  # a lying client: the stream still holds 5 kB
    request.META["HTTP_STRIPE_SIGNATURE"] = sign(body)

    response = stripe_webhook(request)

    assert response.status_code == 413
    assert not WebhookEvent.objects.exists()


def test_get_is_not_allowed(client):
    assert client.get("/stripe/webhook").status_code == 405


def test_webhook_view_stores_with_a_single_query(client, django_assert_num_queries):
    event = _event()
    body = json.dumps(event)
    signature = sign(body)

    with django_assert_num_queries(1):
        response = client.post(
            "/stripe/webhook", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
        )

    assert response.status_code == 200


def test_stored_payload_is_the_body_byte_for_byte(client):
    body = json.dumps(_event(), indent=2, ensure_ascii=False)

    response = client.post(
        "/stripe/webhook", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=sign(body)
    )

    assert response.status_code == 200
    assert WebhookEvent.objects.get().payload == body


@pytest.mark.skipif(connection.vendor != "postgresql", reason="lz4 column compression is PostgreSQL's")
def test_stored_bodies_are_compressed_with_lz4_on_postgresql():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attcompression FROM pg_attribute"
            " WHERE attrelid = 'payments_webhookevent'::regclass AND attname = 'payload'"
        )
        assert cursor.fetchone() == ("l",)


def test_stored_payload_is_the_whole_event_as_sent(client):
    event = _event()
    event["data"]["previous_attributes"] = {"amount": 1000}

    deliver(client, event)

    assert WebhookEvent.objects.get().payload_data == event


MALFORMED = {
    "created far in the future": {"created": 10**20},
    "created before 1970": {"created": -(10**12)},
    "created not a number": {"created": [1]},
    "created as text": {"created": "yesterday"},
    "id of 300 characters": {"id": "evt_" + "x" * 296},
    "NUL in the id": {"id": "evt_\u0000nul"},
    "NUL in the type": {"type": "payment_intent.succeeded\u0000"},
    "type of 200 characters": {"type": "x" * 200},
    "NUL in the object id": {"data": {"object": {"id": "pi_\u0000", "object": "payment_intent"}}},
    "api version not text": {"api_version": {"v": 1}},
}


@pytest.mark.parametrize("change", MALFORMED.values(), ids=MALFORMED.keys())
def test_signed_body_that_is_no_usable_event_is_answered_400_and_logged(client, change, caplog):
    body = json.dumps({**_event(), **change})

    response = deliver(client, body)

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "body"
    assert not WebhookEvent.objects.exists()
    assert "not a usable Stripe event" in caplog.text


def test_signed_json_nested_too_deep_to_read_is_answered_400(client):
    body = "[" * 100_000 + "]" * 100_000

    response = deliver(client, body)

    assert response.status_code == 400
    assert not WebhookEvent.objects.exists()
