"""Run by tests/test_sqlite_concurrency.py in a subprocess, after django.setup(), on a file database.

Migrates it, then THREADS threads store events and record contributions at once, as runserver's threads
do when webhooks arrive while a reader pays; prints what happened as one line of JSON.
"""

import json
import threading
import time

from django.core.management import call_command
from django.db import connection, transaction

from payments import gateway
from payments.models import Contribution, WebhookEvent
from payments.webhooks.processing import webhook_event_store
from tests.factories import ContributionFactory

THREADS = 8
ROUNDS = 15


def writer(number: int, start: threading.Barrier, errors: list[str]) -> None:
    try:
        start.wait()
        for round_number in range(ROUNDS):
            event_id = f"evt_{number}_{round_number}"
            event = gateway.Event(
                id=event_id, type="customer.created", created=int(time.time()), livemode=False, api_version=""
            )
            webhook_event_store(event=event)
            with transaction.atomic():  # writes after a read, in one transaction, as the handlers do
                if Contribution.objects.filter(stripe_payment_intent_id=f"pi_{event_id}").exists():
                    continue
                ContributionFactory(stripe_payment_intent_id=f"pi_{event_id}")
                WebhookEvent.objects.filter(stripe_event_id=event_id).update(status="processed")
    except Exception as exc:  # noqa: BLE001 - reported to the test, which fails on any
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        connection.close()


def main() -> None:
    call_command("migrate", verbosity=0)
    errors: list[str] = []
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=writer, args=(number, start, errors)) for number in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
    outcome = {
        "errors": errors,
        "events": WebhookEvent.objects.filter(status="processed").count(),
        "contributions": Contribution.objects.count(),
        "journal_mode": journal_mode,
    }
    print(json.dumps(outcome))
