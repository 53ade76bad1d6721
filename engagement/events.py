"""Banner events (impressions, clicks, dismissals): validated at the door, buffered in Redis, counted by
a flush that is idempotent by batch id.

The request path writes nothing to the database: a valid batch is pushed onto a Redis list. The flush
(`engagement.tasks.flush_banner_events`, every few seconds) moves batches to a processing list, counts
them in one transaction together with their batch ids (`EventBatch`, unique), then removes them from the
processing list. A flush that dies between the commit and the removal leaves them there; the next one
finds their ids already counted and only removes them. So no batch is lost and none counted twice.
Without Redis (the zero-setup demo) a batch is counted at once, through the same function.
"""

import json
import re
import uuid
from collections import Counter
from dataclasses import dataclass

import redis
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from engagement.models import BannerVariant, EventBatch, VariantCounts

PENDING = "engagement:banner-events"
PROCESSING = "engagement:banner-events:processing"
EVENT_TYPES = {"impression": "impressions", "click": "clicks", "dismiss": "dismissals"}
MAX_EVENTS_PER_BATCH = 100
CODE = re.compile(r"^[a-z0-9_-]{1,40}:[a-z0-9_-]{1,20}$")


class EventBatchError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Batch:
    batch_id: str
    events: tuple[tuple[str, str], ...]  # (type, variant code)

    def as_json(self) -> str:
        return json.dumps({"batch_id": self.batch_id, "events": [list(event) for event in self.events]})


def batch_parse(payload: object, *, known_codes: set[str]) -> Batch:
    """A batch from the browser's JSON, or an error naming the field; unknown variants are refused."""
    if not isinstance(payload, dict):
        raise EventBatchError("The body must be a JSON object.", field="")
    try:
        batch_id = str(uuid.UUID(str(payload.get("batch_id", ""))))
    except ValueError:
        raise EventBatchError("batch_id must be a UUID.", field="batch_id") from None
    events = payload.get("events")
    if not isinstance(events, list) or not events:
        raise EventBatchError("events must be a non-empty list.", field="events")
    if len(events) > MAX_EVENTS_PER_BATCH:
        raise EventBatchError(f"At most {MAX_EVENTS_PER_BATCH} events per batch.", field="events")
    parsed = []
    for index, event in enumerate(events):
        if not isinstance(event, dict):
            raise EventBatchError("Each event must be an object.", field=f"events[{index}]")
        kind, code = event.get("type"), event.get("variant")
        if kind not in EVENT_TYPES:
            raise EventBatchError("type must be impression, click or dismiss.", field=f"events[{index}].type")
        if not isinstance(code, str) or not CODE.match(code) or code not in known_codes:
            raise EventBatchError("This is not a banner variant.", field=f"events[{index}].variant")
        parsed.append((kind, code))
    return Batch(batch_id=batch_id, events=tuple(parsed))


def buffer_client() -> redis.Redis | None:
    url = settings.ENGAGEMENT_EVENTS_REDIS_URL
    return redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2) if url else None


def batch_accept(batch: Batch) -> None:
    """Buffer the batch (one Redis push), or count it now where there is no Redis."""
    client = buffer_client()
    if client is None:
        batches_count([batch])
        return
    client.rpush(PENDING, batch.as_json())


def batches_count(batches: list[Batch]) -> int:
    """Add the batches not counted before to their variants' counts; returns how many were new.

    One transaction: the batch ids and the counts commit together. Two flushes racing on the same
    batch: the second's insert of the id fails, it rolls back, and its retry skips the batch.
    """
    unique = {batch.batch_id: batch for batch in batches}
    with transaction.atomic():
        seen = set(
            str(value)
            for value in EventBatch.objects.filter(batch_id__in=list(unique)).values_list(
                "batch_id", flat=True
            )
        )
        new = [batch for batch_id, batch in unique.items() if batch_id not in seen]
        if not new:
            return 0
        EventBatch.objects.bulk_create(
            [EventBatch(batch_id=batch.batch_id, events=len(batch.events)) for batch in new]
        )
        totals: Counter[tuple[str, str]] = Counter(event for batch in new for event in batch.events)
        _counts_add(totals)
    return len(new)


def _counts_add(totals: Counter[tuple[str, str]]) -> None:
    codes = {code for _kind, code in totals}
    slugs = {code.split(":")[0] for code in codes}
    variants = {
        f"{slug}:{key}": pk
        for pk, slug, key in BannerVariant.objects.filter(message__slug__in=slugs).values_list(
            "pk", "message__slug", "key"
        )
    }
    per_variant: dict[int, dict[str, int]] = {}
    for (kind, code), count in totals.items():
        if code in variants:  # a variant deleted since: its events go uncounted
            fields = per_variant.setdefault(variants[code], {})
            fields[EVENT_TYPES[kind]] = fields.get(EVENT_TYPES[kind], 0) + count
    VariantCounts.objects.bulk_create(
        [VariantCounts(variant_id=pk) for pk in per_variant], ignore_conflicts=True
    )
    for pk, fields in per_variant.items():
        VariantCounts.objects.filter(variant_id=pk).update(
            **{name: F(name) + value for name, value in fields.items()}
        )


def _decode(raw: bytes | str) -> Batch:
    data = json.loads(raw)
    return Batch(batch_id=data["batch_id"], events=tuple((kind, code) for kind, code in data["events"]))


def events_flush(*, limit: int = 2000) -> int:
    """Count what the buffer holds (leftovers of a flush that died first); returns batches counted."""
    client = buffer_client()
    if client is None:
        return 0
    counted = 0
    while True:
        pipe = client.pipeline(transaction=False)
        for _ in range(limit):
            pipe.lmove(PENDING, PROCESSING, "LEFT", "RIGHT")
        moved = [raw for raw in pipe.execute() if raw is not None]
        waiting: list[bytes] = client.lrange(PROCESSING, 0, -1)  # type: ignore[assignment]
        if not waiting:
            return counted
        for attempt in range(2):
            try:
                counted += batches_count([_decode(raw) for raw in waiting])
                break
            except IntegrityError:
                if attempt:
                    raise
        pipe = client.pipeline(transaction=False)
        for raw in waiting:
            pipe.lrem(PROCESSING, 1, raw)  # type: ignore[arg-type]  # bytes are accepted
        pipe.execute()
        if len(moved) < limit:
            return counted
