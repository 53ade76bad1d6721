"""Store, claim and process Stripe events: each event runs its handler once, whatever the delivery.

The view stores (one INSERT) and publishes a task; the task claims the row with a conditional
UPDATE (received -> processing), so a duplicate delivery or a concurrent worker does nothing; a
claim older than WEBHOOK_CLAIM_TIMEOUT_SECONDS belonged to a dead worker and is taken over.
The handler for the event's type is whoever registered it (`payments.registry`). Handlers run
outside any transaction of ours: they ask Stripe first and write in short transactions after.
"""

from __future__ import annotations

import json
import logging
import traceback
from datetime import timedelta
from typing import Any

import psycopg
from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from payments import gateway, registry
from payments.models import WebhookEvent, WebhookEventAttempt
from payments.registry import EventIgnoredError

logger = logging.getLogger(__name__)

Status = WebhookEvent.Status
Outcome = WebhookEventAttempt.Outcome


INSERT_EVENT_SQL = (
    "INSERT INTO payments_webhookevent (stripe_event_id, type, livemode, api_version, object_id,"
    " stripe_created_at, payload, status, attempts, last_error, received_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0, '', now())"
    " ON CONFLICT (stripe_event_id) DO NOTHING"
)


def _server_binding_cursor():
    """A Django cursor (error wrapping, query logging) over psycopg's server-side-binding cursor.

    It sends the ~2 KB body as a bound parameter instead of quoting it into the SQL text (Django's
    default client-side binding), which both Python and PostgreSQL pay for on every delivery.
    """
    connection.ensure_connection()
    raw: Any = psycopg.Cursor(connection.connection)  # Django wraps any DB-API cursor; its stubs say less
    return connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)


def webhook_event_store(*, event: gateway.Event, body: bytes | None = None) -> None:
    """Store the raw event once (INSERT ... ON CONFLICT DO NOTHING): a duplicate adds nothing.

    On PostgreSQL it is one statement (committed on its own in the view), with the verified body stored as it
    came rather than parsed and serialised again: this is the webhook's hot path.
    """
    created_at = gateway.datetime_from_stripe(event.created)
    if connection.vendor == "postgresql" and body is not None:
        params = [
            event.id,
            event.type[:100],
            event.livemode,
            event.api_version[:50],
            event.object_id[:255],
            created_at,
            body.decode(),
            Status.RECEIVED,
        ]
        with _server_binding_cursor() as cursor:
            cursor.execute(INSERT_EVENT_SQL, params)
        return
    WebhookEvent.objects.bulk_create(
        [
            WebhookEvent(
                stripe_event_id=event.id,
                type=event.type[:100],
                livemode=event.livemode,
                api_version=event.api_version[:50],
                object_id=event.object_id[:255],
                stripe_created_at=created_at,
                payload=body.decode() if body is not None else json.dumps(event_payload(event)),
            )
        ],
        ignore_conflicts=True,
    )


def event_payload(event: gateway.Event) -> dict:
    """The stored form of an event: exactly what Stripe sent (previous_attributes, request included)."""
    return event.raw or {
        "id": event.id,
        "object": "event",
        "type": event.type,
        "created": event.created,
        "livemode": event.livemode,
        "api_version": event.api_version,
        "data": {"object": event.data_object},
    }


def _claim(*, stripe_event_id: str, include_failed: bool) -> WebhookEvent | None:
    now = timezone.now()
    stale = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS)
    claimable = Q(status=Status.RECEIVED) | Q(status=Status.PROCESSING, claimed_at__lt=stale)
    if include_failed:
        claimable |= Q(status=Status.FAILED)
    updated = WebhookEvent.objects.filter(claimable, stripe_event_id=stripe_event_id).update(
        status=Status.PROCESSING, claimed_at=now
    )
    if not updated:
        return None
    return WebhookEvent.objects.get(stripe_event_id=stripe_event_id)


def _finish(
    event: WebhookEvent, attempt: WebhookEventAttempt, *, status: str, outcome: str, **fields
) -> None:
    now = timezone.now()
    attempt.outcome, attempt.finished_at = outcome, now
    for name in ("error", "traceback", "note"):
        setattr(attempt, name, fields.get(name, ""))
    attempt.save()
    event.status = status
    event.attempts += 1
    event.last_error = fields.get("error", "")
    if status in {Status.PROCESSED, Status.IGNORED}:
        event.processed_at = now
    event.save(update_fields=["status", "attempts", "last_error", "processed_at"])


def webhook_event_process(
    *, stripe_event_id: str, final_attempt: bool, trigger: str = "task", reraise: bool = True
) -> str:
    """Run the event's handler once; returns the outcome ("skipped" when another run owns or did it).

    A failure is recorded in the event's history; the event goes back to `received` for the next
    retry, or to `failed` on the final attempt. The exception is re-raised so Celery retries it,
    unless `reraise` is off (the sweep, a batch, staff and reconciliation read the outcome instead).
    """
    event = _claim(stripe_event_id=stripe_event_id, include_failed=trigger == "staff")
    if event is None:
        return "skipped"
    attempt = WebhookEventAttempt.objects.create(event=event, trigger=trigger, started_at=timezone.now())
    try:
        note = dispatch(gateway.parse_event(event.payload_data))
    except EventIgnoredError as exc:
        _finish(event, attempt, status=Status.IGNORED, outcome=Outcome.IGNORED, note=str(exc)[:255])
        return Outcome.IGNORED
    except Exception as exc:
        logger.exception("Stripe event %s (%s) failed", event.stripe_event_id, event.type)
        _finish(
            event,
            attempt,
            status=Status.FAILED if final_attempt else Status.RECEIVED,
            outcome=Outcome.FAILED if final_attempt else Outcome.RETRYING,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
        if reraise:
            raise
        return Outcome.FAILED if final_attempt else Outcome.RETRYING
    _finish(event, attempt, status=Status.PROCESSED, outcome=Outcome.PROCESSED, note=(note or "")[:255])
    return Outcome.PROCESSED


def dispatch(event: gateway.Event) -> str:
    """Run the registered handler; other modes and unknown types are ignored, never applied."""
    if event.livemode != settings.STRIPE_LIVEMODE:
        raise EventIgnoredError("event from the other Stripe mode (livemode mismatch)")
    handler = registry.handler_for(event.type)
    if handler is None:
        raise EventIgnoredError(f"no handler for {event.type}")
    return handler(event)


def webhook_event_rerun(*, event: WebhookEvent) -> str:
    """Staff re-run of a failed (or stuck) event, now, in the request: the outcome shows at once."""
    try:
        return webhook_event_process(
            stripe_event_id=event.stripe_event_id, final_attempt=True, trigger="staff", reraise=False
        )
    except Exception:  # the claim or its history could not be written: say so, do not answer 500
        logger.exception("Staff re-run of Stripe event %s could not start", event.stripe_event_id)
        return Outcome.FAILED


def unprocessed_event_ids(*, limit: int = 500) -> list[str]:
    """Events stored a while ago and never processed, or claimed by a worker that died."""
    now = timezone.now()
    old = now - timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS)
    stale = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS)
    # An event that failed an attempt waits for its Celery retry; the sweep takes it only once the
    # longest backoff has passed (the retry message itself may have been lost with the broker).
    retry_lost = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS * 2)
    waiting = Q(status=Status.RECEIVED, received_at__lt=old) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=retry_lost)
    )
    dead = Q(status=Status.PROCESSING, claimed_at__lt=stale)
    return list(
        WebhookEvent.objects.filter(waiting | dead)
        .order_by("stripe_created_at", "id")
        .values_list("stripe_event_id", flat=True)[:limit]
    )


def webhook_events_sweep() -> dict[str, int]:
    """Process, in this worker, what the sweep finds; a failure counts towards the event's last try."""
    outcomes: dict[str, int] = {}
    for stripe_event_id in unprocessed_event_ids():
        attempts = WebhookEvent.objects.filter(stripe_event_id=stripe_event_id).values_list("attempts")
        final = bool(attempts) and attempts[0][0] >= settings.WEBHOOK_MAX_RETRIES
        try:
            outcome = webhook_event_process(
                stripe_event_id=stripe_event_id, final_attempt=final, trigger="sweep", reraise=False
            )
        except Exception:  # the claim or its history could not be written: the next sweep tries again
            logger.exception("The sweep could not run Stripe event %s", stripe_event_id)
            outcome = Outcome.RETRYING
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
