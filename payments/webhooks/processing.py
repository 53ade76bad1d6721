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
from django.db import InterfaceError as DatabaseInterfaceError
from django.db import OperationalError as DatabaseOperationalError
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from payments import gateway, registry
from payments.log_context import stripe_event_logged
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


def _claim(*, stripe_event_id: str, claimant: str, trigger: str) -> WebhookEvent | None:
    """Take the event for one run (one conditional UPDATE), or None when it is not ours to run now.

    Runnable: a received event whose retry is due, or whose retry this claimant owns (a Celery retry
    keeps its task id, so a chain runs its own retries and a duplicate delivery's task does not start
    a second chain); a claim left by a dead worker (stale, or this very task redelivered after its
    worker was lost); for the sweep, a failed event whose cause time can cure once its retry is due;
    for staff, any event not settled.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS)
    claimable = Q(status=Status.RECEIVED) & (Q(retry_at__isnull=True) | Q(retry_at__lte=now)) | Q(
        status=Status.PROCESSING, claimed_at__lt=stale
    )
    if claimant:  # a task's own id: nobody else has it, so what it holds is its own to take back
        claimable |= Q(status=Status.RECEIVED, claimed_by=claimant) | Q(
            status=Status.PROCESSING, claimed_by=claimant
        )
    if trigger == "sweep":
        claimable |= Q(status=Status.FAILED, retry_at__lte=now)
    if trigger == "staff":
        claimable |= Q(status__in=[Status.RECEIVED, Status.FAILED])
    updated = WebhookEvent.objects.filter(claimable, stripe_event_id=stripe_event_id).update(
        status=Status.PROCESSING, claimed_at=now, claimed_by=claimant, retry_at=None
    )
    if not updated:
        return None
    event = WebhookEvent.objects.get(stripe_event_id=stripe_event_id)
    # We hold the claim, so a run still marked running was cut short with its worker.
    event.attempts_log.filter(outcome=Outcome.RUNNING).update(
        outcome=Outcome.ABANDONED, finished_at=now, note="the worker running it was lost"
    )
    return event


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
    event.retry_at = fields.get("retry_at")
    if status in {Status.PROCESSED, Status.IGNORED}:
        event.processed_at = now
    event.save(update_fields=["status", "attempts", "last_error", "processed_at", "retry_at"])


def curable_by_time(exc: Exception) -> bool:
    """Stripe or the database unreachable, a payment not known yet: a later try can succeed."""
    return bool(getattr(exc, "curable_by_time", False)) or isinstance(
        exc, gateway.GatewayError | DatabaseOperationalError | DatabaseInterfaceError
    )


def retry_delay(exc: Exception, *, attempts: int) -> float:
    """Seconds until the next try: exponential from WEBHOOK_RETRY_BASE_SECONDS, capped; and never
    before the grace period of a payment we do not know yet is over."""
    backoff = min(
        settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0), settings.WEBHOOK_RETRY_MAX_SECONDS
    )
    return max(backoff, getattr(exc, "retry_after", 0) + 1)


def _after_failure(event: WebhookEvent, exc: Exception, *, final_attempt: bool) -> tuple[str, str, object]:
    """Status, outcome and retry time after a failed attempt.

    A payment not known yet always waits for the end of its grace period (it is never given up
    before). After the last try, a failure time can cure is tried again by the sweep every
    WEBHOOK_FAILED_RETRY_SECONDS while the event is younger than WEBHOOK_FAILED_RETRY_DAYS.
    """
    now = timezone.now()
    attempts = event.attempts + 1
    waits_for_grace = getattr(exc, "retry_after", None) is not None
    if waits_for_grace or not (final_attempt or attempts > settings.WEBHOOK_MAX_RETRIES):
        return Status.RECEIVED, Outcome.RETRYING, now + timedelta(seconds=retry_delay(exc, attempts=attempts))
    give_up = event.received_at + timedelta(days=settings.WEBHOOK_FAILED_RETRY_DAYS)
    if curable_by_time(exc) and now < give_up:
        return Status.FAILED, Outcome.FAILED, now + timedelta(seconds=settings.WEBHOOK_FAILED_RETRY_SECONDS)
    return Status.FAILED, Outcome.FAILED, None


def webhook_event_process(
    *,
    stripe_event_id: str,
    final_attempt: bool = False,
    trigger: str = "task",
    claimant: str = "",
    reraise: bool = True,
) -> str:
    """Run the event's handler once; returns the outcome ("skipped" when another run owns or did it).

    A failure is recorded in the event's history; the event goes back to `received` with the time its
    next try is due, or to `failed` after its last try (WEBHOOK_MAX_RETRIES, or `final_attempt`). The
    exception is re-raised unless `reraise` is off (tasks, the sweep, staff and reconciliation read the
    outcome instead). `claimant` names the run (the Celery task id, unique to it): it alone may retry early
    or take back a claim it held when its worker died. Runs without one (sweep, staff, reconciliation,
    tests) never take over a live claim.
    """
    event = _claim(stripe_event_id=stripe_event_id, claimant=claimant, trigger=trigger)
    if event is None:
        return "skipped"
    attempt = WebhookEventAttempt.objects.create(event=event, trigger=trigger, started_at=timezone.now())
    try:
        with stripe_event_logged(event.stripe_event_id):
            note = dispatch(gateway.parse_event(event.payload_data))
    except EventIgnoredError as exc:
        _finish(event, attempt, status=Status.IGNORED, outcome=Outcome.IGNORED, note=str(exc)[:255])
        return Outcome.IGNORED
    except Exception as exc:
        logger.exception("Stripe event %s (%s) failed", event.stripe_event_id, event.type)
        status, outcome, retry_at = _after_failure(event, exc, final_attempt=final_attempt)
        _finish(
            event,
            attempt,
            status=status,
            outcome=outcome,
            retry_at=retry_at,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
        if reraise:
            raise
        return outcome
    _finish(event, attempt, status=Status.PROCESSED, outcome=Outcome.PROCESSED, note=(note or "")[:255])
    return Outcome.PROCESSED


def seconds_until_retry(*, stripe_event_id: str) -> float:
    """How long until the event's next try is due (0 when it is due now or has none)."""
    retry_at = WebhookEvent.objects.filter(stripe_event_id=stripe_event_id).values_list("retry_at", flat=True)
    due = retry_at.first()
    return max((due - timezone.now()).total_seconds(), 0.0) if due else 0.0


def webhook_event_hand_over(*, stripe_event_id: str, claimant: str) -> None:
    """Let another task (a retry published for an event that failed in a batch) own the next try."""
    WebhookEvent.objects.filter(stripe_event_id=stripe_event_id, status=Status.RECEIVED).update(
        claimed_by=claimant
    )


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
    """Events the sweep should run: stored a while ago and never run, whose retry message was lost,
    claimed by a worker that died, or failed for a reason time can cure and due again."""
    now = timezone.now()
    old = now - timedelta(seconds=settings.WEBHOOK_SWEEP_AFTER_SECONDS)
    stale = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS)
    # A retry is Celery's to run at its time; the sweep steps in only if its message was lost.
    retry_lost = now - timedelta(seconds=settings.WEBHOOK_CLAIM_TIMEOUT_SECONDS)
    never_run = Q(status=Status.RECEIVED, received_at__lt=old, retry_at__isnull=True)
    retry_message_lost = Q(status=Status.RECEIVED, retry_at__lt=retry_lost)
    dead = Q(status=Status.PROCESSING, claimed_at__lt=stale)
    due_again = Q(status=Status.FAILED, retry_at__lte=now)
    return list(
        WebhookEvent.objects.filter(never_run | retry_message_lost | dead | due_again)
        .order_by("stripe_created_at", "id")
        .values_list("stripe_event_id", flat=True)[:limit]
    )


def webhook_events_sweep() -> dict[str, int]:
    """Process, in this worker, what the sweep finds; a failure counts towards the event's tries."""
    outcomes: dict[str, int] = {}
    for stripe_event_id in unprocessed_event_ids():
        try:
            outcome = webhook_event_process(stripe_event_id=stripe_event_id, trigger="sweep", reraise=False)
        except Exception:  # the claim or its history could not be written: the next sweep tries again
            logger.exception("The sweep could not run Stripe event %s", stripe_event_id)
            outcome = Outcome.RETRYING
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
