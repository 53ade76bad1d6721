"""A renewal storm: 5,000 paid renewals of 1,000 memberships, in a burst, each recorded exactly once.

Stripe delivers at least once and in any order; a backlog of renewals (an outage, a replay) arrives
as a burst with re-sent events and late ones. Every renewal must become one contribution, one
ledger charge and one `renewed` event, and the ledger must add up to what Stripe took.

How the invoices name their payments: each event carries today's invoice shape (subscription under
`parent`, amounts, `status_transitions.paid_at`) plus the old-shape `payment_intent` field, which
`gateway.parse_invoice` still reads. So `gateway.invoice_payment_intent_id` answers from the invoice
and the worker fetches each real, succeeded PaymentIntent from localstripe with
`gateway.retrieve_payment_intent`: the charge, its amount and balance transaction recorded in the
ledger are Stripe's, not the event's. (Today's shape alone would make the gateway list the
invoice's payments, 404 on localstripe, then retrieve the invoice: that needs 5,000 real invoices,
which localstripe can only make through subscriptions it cannot renew.)

localstripe answers every list by scanning all its objects, so at 5,000 intents one retrieve took
~75 ms and creating them ~400 s; this module starts its own localstripe with lists indexed by type
(storm_localstripe.py, same answers). The intents are made before the burst, outside its clock.
"""

import http.client
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.db.models import Count, Sum
from django.utils import timezone

from config.celery import app
from membership.models import Membership, MembershipEvent
from payments import gateway
from payments.models import Contribution, LedgerEntry, WebhookEvent
from tests.conftest import requires_broker
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory
from tests.localstripe import LocalStripe
from tests.membership.payloads import invoice_payload
from tests.payments import stripe_flows as flows
from tests.payments.webhooks import make_event, sign

pytestmark = [
    pytest.mark.integration,
    pytest.mark.resilience,
    requires_broker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="a live server and a worker writing at once need PostgreSQL (CI's DATABASE_URL)",
    ),
]

MEMBERS = 1_000
RENEWALS_EACH = 5
DUPLICATE_SHARE = 0.10
OUT_OF_ORDER_SHARE = 0.05
CONNECTIONS = 8
WORKER_PROCESSES = 3
DRAIN_TIMEOUT_SECONDS = 480
ROOT = Path(__file__).resolve().parents[2]
STORM_LOCALSTRIPE = Path(__file__).with_name("storm_localstripe.py")


class IndexedLocalStripe(LocalStripe):
    """localstripe started through storm_localstripe.py (its lists indexed by type)."""

    def start(self) -> "IndexedLocalStripe":
        command = [sys.executable, str(STORM_LOCALSTRIPE), "--port", str(self.port), "--no-state"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/js.stripe.com/v3/", timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("localstripe exited during start-up") from None
                time.sleep(0.1)
        raise RuntimeError("localstripe did not start within 30 s")


@pytest.fixture(scope="module")
def storm_stripe_server():
    server = IndexedLocalStripe().start()
    yield server
    server.stop()


@pytest.fixture
def storm_stripe(storm_stripe_server, settings):
    """Like the `localstripe` fixture, on this module's own server."""
    storm_stripe_server.flush()
    settings.STRIPE_API_BASE = storm_stripe_server.url
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return storm_stripe_server


@pytest.fixture
def worker(storm_stripe, tmp_path):
    """Real Celery worker processes on the broker, this test's database and its queue.

    Processes, not the in-process worker thread: the live server already holds this process's GIL,
    and on two cores a worker thread beside it drained ~17 renewals/s (the storm took ~6 minutes).
    Several processes also let renewals of one membership race each other. Stopped by PID.
    """
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()
    database = connection.settings_dict
    queue = app.conf.task_default_queue
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "STRIPE_API_BASE": storm_stripe.url,
        "STRIPE_MAX_NETWORK_RETRIES": "0",
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "celery", "-A", "config", "worker", "-Q", queue, "--pool=prefork"]
    command += [
        f"--concurrency={WORKER_PROCESSES}",
        "--loglevel=WARNING",
        "-n",
        f"storm-{uuid.uuid4().hex[:6]}@%h",
    ]
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        yield process.pid
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
        log.close()
        app.control.purge()  # the storm's follow-up tasks (receipts, welcomes) never reach later tests
        app.conf.task_always_eager = previous


@dataclass(frozen=True)
class Renewal:
    membership_id: int
    invoice_id: str
    amount: int
    currency: str
    event: dict


@dataclass
class Burst:
    statuses: Counter = field(default_factory=Counter)
    seconds: float = 0.0


def _currency(number: int) -> str:
    return "USD" if number % 2 == 0 else "EUR"


def _amount(number: int, cycle: int) -> int:
    """500 + 5 * member + cycle minor units: every renewal's amount differs, so a mix-up shows in sums."""
    return 500 + 5 * number + cycle


def _members(customers: list[str]) -> list[Membership]:
    """Active memberships (half USD, half EUR), each welcomed and its first contribution paid."""
    memberships = []
    for number, customer in enumerate(customers):
        membership = MembershipFactory(
            contributor=ContributorFactory(stripe_customer_id=customer),
            stripe_subscription_id=f"sub_storm_{number:04d}",
            amount_minor=_amount(number, 0),
            currency=_currency(number),
            welcome_sent_at=timezone.now(),
        )
        ContributionFactory(
            contributor=membership.contributor,
            membership=membership,
            frequency="monthly",
            amount_minor=membership.amount_minor,
            currency=membership.currency,
            status=Contribution.Status.SUCCEEDED,
            stripe_invoice_id=f"in_storm_{number:04d}_0",
        )
        memberships.append(membership)
    return memberships


def _renewals() -> list[Renewal]:
    """Five monthly renewals of each of 1,000 memberships, the last one now; each its own real intent.

    The intents are created in localstripe (four at a time) while the memberships are inserted.
    """
    with ThreadPoolExecutor(max_workers=4) as pool:
        customers = list(
            pool.map(
                lambda number: gateway.client().v1.customers.create({"email": f"m{number}@example.org"}).id,
                range(MEMBERS),
            )
        )
        payment_method = flows.card_payment_method()
        plans = [(number, cycle) for number in range(MEMBERS) for cycle in range(1, RENEWALS_EACH + 1)]

        def pay(plan: tuple[int, int]) -> str:
            number, cycle = plan
            params = {
                "amount": _amount(number, cycle),
                "currency": _currency(number).lower(),
                "customer": customers[number],
                "payment_method_types": ["card"],
                "payment_method": payment_method,
                "confirm": True,
            }
            return gateway.client().v1.payment_intents.create(params).id

        paying = pool.map(pay, plans)
        memberships = _members(customers)
        intents = list(paying)
    now = int(time.time())
    renewals = []
    for (number, cycle), intent_id in zip(plans, intents, strict=True):
        membership = memberships[number]
        paid_at = now - int(timedelta(days=30 * (RENEWALS_EACH - cycle)).total_seconds()) - number
        invoice_id = f"in_storm_{number:04d}_{cycle}"
        invoice = invoice_payload(
            invoice_id=invoice_id,
            customer=customers[number],
            subscription_id=membership.stripe_subscription_id,
            status="paid",
            amount=_amount(number, cycle),
            currency=membership.currency.lower(),
            created=paid_at - 3600,
            paid_at=paid_at,
        )
        invoice["payment_intent"] = intent_id  # the old-shape field (see the module docstring)
        event = make_event(
            "invoice.paid", invoice, event_id=f"evt_storm_{number:04d}_{cycle}", created=paid_at
        )
        renewals.append(
            Renewal(membership.pk, invoice_id, _amount(number, cycle), membership.currency, event)
        )
    return renewals


def _deliveries(renewals: list[Renewal], rng: random.Random) -> list[dict]:
    """In payment order, then 5% moved to random places and 10% re-sent (same event id) later."""
    sends = [renewal.event for renewal in sorted(renewals, key=lambda r: r.event["created"])]
    for event in rng.sample(sends, int(len(sends) * OUT_OF_ORDER_SHARE)):
        sends.remove(event)
        sends.insert(rng.randrange(len(sends) + 1), event)
    for event in rng.sample(sends, int(len(sends) * DUPLICATE_SHARE)):
        first = sends.index(event)
        sends.insert(rng.randrange(first + 1, len(sends) + 1), event)
    return sends


def _late_renewals(sends: list[dict]) -> int:
    """How many deliveries arrive after a later renewal of the same membership was sent."""
    newest: dict[str, int] = {}
    late = 0
    for event in sends:
        invoice = event["data"]["object"]
        subscription = invoice["parent"]["subscription_details"]["subscription"]
        if invoice["created"] < newest.get(subscription, 0):
            late += 1
        newest[subscription] = max(newest.get(subscription, 0), invoice["created"])
    return late


def _send_burst(base_url: str, sends: list[dict]) -> Burst:
    """Every delivery signed as Stripe signs it, over CONNECTIONS keep-alive connections at once."""
    bodies = [json.dumps(event) for event in sends]
    signed = [(body.encode(), sign(body)) for body in bodies]
    address = urlsplit(base_url)
    burst = Burst()
    lock = threading.Lock()
    cursor = iter(signed)

    def sender() -> None:
        conn = http.client.HTTPConnection(address.hostname, address.port, timeout=60)
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            body, signature = item
            headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
            try:
                conn.request("POST", "/stripe/webhook", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            with lock:
                burst.statuses[status] += 1
        conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=sender) for _ in range(CONNECTIONS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    burst.seconds = time.monotonic() - started
    return burst


def _settled(expected: int):
    def condition() -> bool:
        return (
            WebhookEvent.objects.count() == expected
            and not WebhookEvent.objects.filter(status__in=["received", "processing"]).exists()
        )

    return condition


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def _event_outcomes() -> dict:
    statuses = dict(WebhookEvent.objects.values_list("status").annotate(n=Count("id")).order_by())
    errors = list(WebhookEvent.objects.exclude(last_error="").values_list("last_error", flat=True)[:5])
    retried = WebhookEvent.objects.filter(attempts__gt=1).count()
    return {"statuses": statuses, "retried": retried, "errors": errors}


def test_renewal_storm_records_every_renewal_once(storm_stripe, live_server, worker):
    prepared = time.monotonic()
    renewals = _renewals()
    sends = _deliveries(renewals, random.Random(11))
    prepare_seconds = time.monotonic() - prepared
    assert len(sends) == round(len(renewals) * (1 + DUPLICATE_SHARE))
    assert _late_renewals(sends) > 0  # the burst does deliver some renewals after later ones

    burst = _send_burst(live_server.url, sends)
    drained = wait_until(_settled(len(renewals)), timeout=DRAIN_TIMEOUT_SECONDS)
    drain_seconds = time.monotonic() - prepared - prepare_seconds
    print(
        f"\nrenewal storm: prepared in {prepare_seconds:.1f} s; {len(sends)} deliveries sent in "
        f"{burst.seconds:.1f} s; all processed {drain_seconds:.1f} s after the first; {_event_outcomes()}"
    )

    assert burst.statuses == Counter({200: len(sends)})
    assert drained, _event_outcomes()
    assert _event_outcomes()["statuses"] == {WebhookEvent.Status.PROCESSED: len(renewals)}, _event_outcomes()
    expected = {(r.invoice_id, r.membership_id, r.amount, r.currency) for r in renewals}
    renewal_contributions = Contribution.objects.filter(
        stripe_invoice_id__in=[r.invoice_id for r in renewals]
    )
    assert (
        set(
            renewal_contributions.filter(status=Contribution.Status.SUCCEEDED).values_list(
                "stripe_invoice_id", "membership_id", "amount_minor", "currency"
            )
        )
        == expected
    )
    assert Contribution.objects.count() == MEMBERS + len(renewals)  # the first ones and one per renewal
    charges = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE)
    assert set(charges.values_list("contribution__stripe_invoice_id", "amount_minor", "currency")) == {
        (invoice_id, amount, currency) for invoice_id, _member, amount, currency in expected
    }
    assert charges.count() == len(renewals)
    sent = Counter()
    for renewal in renewals:
        sent[renewal.currency] += renewal.amount
    assert dict(charges.values_list("currency").annotate(total=Sum("amount_minor")).order_by()) == dict(sent)
    renewed = MembershipEvent.objects.filter(kind=MembershipEvent.Kind.RENEWED)
    assert renewed.count() == len(renewals)
    assert set(renewed.values_list("membership_id", "stripe_invoice_id")) == {
        (r.membership_id, r.invoice_id) for r in renewals
    }
