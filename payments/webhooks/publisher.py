"""Publishes stored Stripe events to Celery in batches, from a thread, off the request's path.

A Celery publish costs the webhook request more CPU than its INSERT does. The event is already
durable when the view answers (the INSERT committed), so the view only hands the id to this
per-process publisher, which sends one batch task for every few milliseconds of deliveries. An id
that never reaches the broker (process killed, broker down) is still `received` in the database,
and the periodic sweep processes it: nothing is lost by publishing late.
"""

from __future__ import annotations

import logging
import os
import threading

from celery import current_app
from django.conf import settings

from payments.tasks import process_webhook_event, process_webhook_events

logger = logging.getLogger(__name__)


class BatchPublisher:
    def __init__(self) -> None:
        self._pending: list[str] = []
        self._in_flight = 0
        self._lock = threading.Condition()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None

    def submit(self, stripe_event_id: str) -> None:
        with self._lock:
            self._pending.append(stripe_event_id)
            if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
                self._pid = os.getpid()  # a forked worker needs a thread of its own
                self._thread = threading.Thread(target=self._run, name="stripe-event-publisher", daemon=True)
                self._thread.start()
        self._wake.set()

    def _take(self) -> list[str]:
        with self._lock:
            batch, self._pending = self._pending, []
            self._in_flight = len(batch)
            self._wake.clear()
        return batch

    def _done(self) -> None:
        with self._lock:
            self._in_flight = 0
            self._lock.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every id submitted so far has been published (or given up to the sweep)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._pending and not self._in_flight, timeout)

    def _run(self) -> None:
        while True:
            self._wake.wait()
            # Let deliveries arriving together share one message.
            threading.Event().wait(settings.WEBHOOK_PUBLISH_BATCH_SECONDS)
            batch = self._take()
            try:
                for start in range(0, len(batch), settings.WEBHOOK_PUBLISH_BATCH_SIZE):
                    publish_batch(batch[start : start + settings.WEBHOOK_PUBLISH_BATCH_SIZE])
            finally:
                self._done()


def publish_batch(stripe_event_ids: list[str]) -> bool:
    """One task for many events; never raises (the sweep covers whatever is not published)."""
    try:
        process_webhook_events.apply_async(
            args=[stripe_event_ids],
            # Celery would otherwise build a repr of every id for the message's headers (logs and
            # monitoring): that cost more than the rest of the publish.
            argsrepr=f"[{len(stripe_event_ids)} Stripe events: {stripe_event_ids[0]} ...]",
            kwargsrepr="{}",
            retry=True,
            retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY,
        )
    except Exception:
        logger.warning(
            "Could not queue %d Stripe events; the sweep will process them",
            len(stripe_event_ids),
            exc_info=True,
        )
        return False
    return True


publisher = BatchPublisher()


def webhook_event_enqueue(*, stripe_event_id: str) -> bool:
    """Publish the processing task; never raises, so a broker outage never fails a delivery.

    With a broker, the id goes to the batch publisher; with none (tasks run in-process) or batching
    off, one task is published now. The publish is bounded by CELERY_BROKER_CONNECTION_TIMEOUT, the
    transport's socket timeouts and CELERY_TASK_PUBLISH_RETRY_POLICY; whatever is not published is
    picked up by the periodic sweep.
    """
    if settings.WEBHOOK_BATCH_PUBLISH and not current_app.conf.task_always_eager:
        publisher.submit(stripe_event_id)
        return True
    try:
        process_webhook_event.apply_async(
            args=[stripe_event_id], retry=True, retry_policy=settings.CELERY_TASK_PUBLISH_RETRY_POLICY
        )
    except Exception:
        logger.warning(
            "Could not queue Stripe event %s; the sweep will process it", stripe_event_id, exc_info=True
        )
        return False
    return True
