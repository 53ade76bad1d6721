"""A Celery worker killed by PID in the middle of a batch: its events are recovered and the lost run closed.

Real processes: a worker (`celery -A config worker`) on Redis and the test's PostgreSQL database, on a
queue of this test's own; a Stripe stand-in that accepts connections and never answers keeps the
worker inside the batch's first event when it is killed; a second worker, with beat and the real
(local) Stripe, then recovers. Each process is started here and stopped here, by its PID.
"""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from payments.models import Contribution, WebhookEvent, WebhookEventAttempt
from payments.tasks import process_webhook_events
from payments.webhooks import processing
from tests.conftest import requires_broker
from tests.factories import ContributionFactory
from tests.payments import stripe_flows as flows

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.integration,
    pytest.mark.resilience,
    requires_broker,
    pytest.mark.django_db(transaction=True),
]


@contextmanager
def stripe_that_never_answers():
    """Accepts every connection and reads, but never replies; closed (and its thread ended) at the end."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _address = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(conn)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(timeout=2)
        for conn in held:
            conn.close()
        server.close()


@contextmanager
def celery_worker(*, queue: str, stripe_api_base: str, tmp_path: Path, beat: bool = False, **settings):
    """A worker process on this test's queue and database; yields its PID; stopped by PID at the end."""
    database = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "STRIPE_API_BASE": stripe_api_base,
        "STRIPE_MAX_NETWORK_RETRIES": "0",
        **{name: str(value) for name, value in settings.items()},
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool=solo"]
    command += ["--loglevel=WARNING", "-n", f"{queue}-{uuid.uuid4().hex[:6]}@%h"]
    if beat:
        command += ["-B", "-s", str(tmp_path / f"beat-{uuid.uuid4().hex[:6]}")]
    log = (tmp_path / f"worker-{uuid.uuid4().hex[:6]}.log").open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()


def wait_until(condition, timeout: float) -> float | None:
    """Seconds it took until `condition()` held, or None if it did not within `timeout`."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(0.25)
    return None


def _paid_events(count: int) -> list[str]:
    for number in range(count):
        intent_id = flows.paid_intent(amount=1100 + number)
        ContributionFactory(stripe_payment_intent_id=intent_id, amount_minor=1100 + number)
    events = flows.events("payment_intent.succeeded")
    for event in events:
        processing.webhook_event_store(event=processing.gateway.parse_event(event))
    return [event["id"] for event in events]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the worker process needs a shared database")
def test_a_worker_killed_in_the_middle_of_a_batch_is_recovered_and_its_lost_run_closed(localstripe, tmp_path):
    queue = f"killed-{uuid.uuid4().hex[:8]}"
    event_ids = _paid_events(3)

    with (
        stripe_that_never_answers() as hung_stripe,
        celery_worker(queue=queue, stripe_api_base=hung_stripe, tmp_path=tmp_path) as pid,
    ):
        process_webhook_events.apply_async(args=[event_ids], queue=queue)
        assert wait_until(lambda: WebhookEvent.objects.filter(status="processing").exists(), timeout=30)
        time.sleep(0.5)  # the first event's handler is waiting for Stripe
        os.killpg(pid, signal.SIGKILL)
        killed_at = time.monotonic()

    assert WebhookEventAttempt.objects.filter(outcome="running").count() == 1
    with celery_worker(
        queue=queue,
        stripe_api_base=localstripe.url,
        tmp_path=tmp_path,
        beat=True,
        WEBHOOK_CLAIM_TIMEOUT_SECONDS=5,
        WEBHOOK_SWEEP_AFTER_SECONDS=1,
        WEBHOOK_SWEEP_EVERY_SECONDS=2,
    ):
        recovered = wait_until(
            lambda: WebhookEvent.objects.filter(status="processed").count() == 3, timeout=90
        )
        recovery = time.monotonic() - killed_at

    print(f"\nworker killed -> all {len(event_ids)} events processed: {recovery:.1f} s")
    assert recovered is not None, list(WebhookEvent.objects.values_list("status", "last_error"))
    assert Contribution.objects.filter(status="succeeded").count() == 3
    assert not WebhookEventAttempt.objects.filter(outcome="running").exists()
    assert WebhookEventAttempt.objects.filter(outcome="abandoned").count() == 1
