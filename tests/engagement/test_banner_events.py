"""POST /api/v1/banner/events: batches checked at the door, buffered in Redis, counted once each."""

import json
import uuid

import pytest
import redis
from django.db import transaction

from engagement import events
from engagement.decisions import snapshot_forget
from engagement.models import EventBatch, VariantCounts
from tests.engagement.factories import message_with_variants

pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/banner/events"
BUFFER_URL = "redis://127.0.0.1:6379/12"


@pytest.fixture
def buffer(settings):
    """The Redis list the events wait in, on a database of its own, empty."""
    settings.ENGAGEMENT_EVENTS_REDIS_URL = BUFFER_URL
    settings.BANNER_EVENTS_BROWSER_RATE = "100000/m"
    settings.BANNER_EVENTS_IP_RATE = "100000/m"
    client = redis.Redis.from_url(BUFFER_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    client.delete(events.PENDING, events.PROCESSING)
    snapshot_forget()
    yield client
    client.delete(events.PENDING, events.PROCESSING)
    snapshot_forget()


def post(client, *, batch_id=None, events_=None, browser="b-1"):
    body = {"batch_id": str(batch_id or uuid.uuid4()), "browser": browser, "events": events_}
    # banner.js sends text/plain (sendBeacon), so no CORS preflight
    return client.post(URL, data=json.dumps(body), content_type="text/plain")


def counts(code_key: str) -> tuple[int, int, int]:
    row = VariantCounts.objects.get(variant__key=code_key)
    return row.impressions, row.clicks, row.dismissals


def test_a_burst_of_ten_thousand_events_is_counted_without_loss_or_double_counting(client, buffer):
    message_with_variants(slug="spring", weights={"a": 1, "b": 1})
    batch_ids = [uuid.uuid4() for _ in range(200)]
    for index, batch_id in enumerate(batch_ids):
        variant = "spring:a" if index % 2 else "spring:b"
        kinds = ["impression"] * 40 + ["click"] * 7 + ["dismiss"] * 3
        response = post(client, batch_id=batch_id, events_=[{"type": k, "variant": variant} for k in kinds])
        assert response.status_code == 202
    assert EventBatch.objects.count() == 0  # nothing written on the request path
    for batch_id in batch_ids[:20]:  # sendBeacon retried by a flaky network: the same batches again
        post(client, batch_id=batch_id, events_=[{"type": "impression", "variant": "spring:a"}] * 50)

    assert events.events_flush(limit=64) == 200

    assert counts("a") == (4000, 700, 300)
    assert counts("b") == (4000, 700, 300)
    assert buffer.llen(events.PENDING) == 0
    assert buffer.llen(events.PROCESSING) == 0


def test_a_flush_that_died_after_counting_is_not_counted_again(client, buffer, monkeypatch):
    message_with_variants(slug="spring", weights={"a": 1})
    post(client, events_=[{"type": "impression", "variant": "spring:a"}] * 10)

    original = buffer.pipeline
    calls = {"n": 0}

    def pipeline_dying_on_removal(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:  # the first moves the batches; the second would remove them
            raise ConnectionError("worker killed before removing the batches")
        return original(*args, **kwargs)

    monkeypatch.setattr(events, "buffer_client", lambda: buffer)
    monkeypatch.setattr(buffer, "pipeline", pipeline_dying_on_removal)
    with pytest.raises(ConnectionError):
        events.events_flush()
    assert counts("a") == (10, 0, 0)
    assert buffer.llen(events.PROCESSING) == 1

    monkeypatch.setattr(buffer, "pipeline", original)
    events.events_flush()
    assert counts("a") == (10, 0, 0)
    assert buffer.llen(events.PROCESSING) == 0


def test_two_flushes_of_the_same_batch_count_it_once():
    message_with_variants(slug="spring", weights={"a": 1})
    batch = events.Batch(batch_id=str(uuid.uuid4()), events=(("click", "spring:a"),))
    with transaction.atomic():
        assert events.batches_count([batch]) == 1
    assert events.batches_count([batch, batch]) == 0
    assert counts("a") == (0, 1, 0)


def test_without_redis_a_batch_is_counted_at_once(client, settings):
    settings.ENGAGEMENT_EVENTS_REDIS_URL = ""
    snapshot_forget()
    message_with_variants(slug="spring", weights={"a": 1})
    assert post(client, events_=[{"type": "dismiss", "variant": "spring:a"}]).status_code == 202
    assert counts("a") == (0, 0, 1)


@pytest.mark.parametrize(
    ("events_", "field"),
    [
        ([], "events"),
        ([{"type": "purchase", "variant": "spring:a"}], "events[0].type"),
        ([{"type": "click", "variant": "spring:zzz"}], "events[0].variant"),
        ([{"type": "click", "variant": "spring:a"}] * 101, "events"),
    ],
)
def test_a_bad_batch_is_refused_naming_the_field(client, buffer, events_, field):
    message_with_variants(slug="spring", weights={"a": 1})
    response = post(client, events_=events_)
    assert response.status_code == 400
    assert response.json()["error"]["field"] == field
    assert buffer.llen(events.PENDING) == 0


def test_a_batch_without_a_uuid_is_refused(client, buffer):
    message_with_variants(slug="spring", weights={"a": 1})
    body = {"batch_id": "1; DROP TABLE", "events": [{"type": "click", "variant": "spring:a"}]}
    response = client.post(URL, data=json.dumps(body), content_type="text/plain")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "batch_id"


def test_a_browser_sending_too_many_batches_is_rate_limited(client, buffer, settings):
    settings.BANNER_EVENTS_BROWSER_RATE = "3/m"
    message_with_variants(slug="spring", weights={"a": 1})
    answers = [
        post(client, events_=[{"type": "impression", "variant": "spring:a"}]).status_code for _ in range(4)
    ]
    assert answers == [202, 202, 202, 429]
    assert buffer.llen(events.PENDING) == 3
