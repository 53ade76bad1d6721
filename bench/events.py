"""Signed Stripe events for the benchmark: ~2 KB today-shaped `payment_intent.*` events.

The default type, `payment_intent.created`, is one Stripe sends for every payment with the same
PaymentIntent object as `payment_intent.succeeded`, so ingest costs the same, and our handlers
ignore it, so processing is cheap but runs the whole claim/attempt/finish path. (A `succeeded`
event makes the handler fetch the intent from Stripe: that would measure Stripe, not us.)

Bodies are one template with a token (`@@T@@`) in the ids; wrk's Lua rebuilds each body from the
template and a token, and sends the signature computed here, so a run needs no HMAC in Lua and its
data file stays small (one `token t=...,v1=...` line per event).
"""

import hashlib
import hmac
import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "@@T@@"
API_VERSION = "2026-10-28.endive"


DEFAULT_EVENT_TYPE = "payment_intent.created"


def template(event_type: str = DEFAULT_EVENT_TYPE) -> str:
    """A today-shaped event around the recorded PaymentIntent fixture, with attribution metadata."""
    intent = json.loads((ROOT / "tests/fixtures/stripe/payment_intent.json").read_text())
    succeeded = event_type == "payment_intent.succeeded"
    intent.update(
        id=f"pi_{TOKEN}",
        amount=2500,
        amount_received=2500 if succeeded else 0,
        currency="eur",
        status="succeeded" if succeeded else "requires_payment_method",
        canceled_at=None,
        client_secret=f"pi_{TOKEN}_secret_Dm43xiq1k0ywrRRjDoi8y1gkM",
        customer=f"cus_{TOKEN}",
        payment_method=f"pm_{TOKEN}" if succeeded else None,
        latest_charge=f"ch_{TOKEN}" if succeeded else None,
        last_payment_error=None,
        next_action=None,
        receipt_email="reader@example.org",
        description="Support The Independent Ledger",
        metadata={
            "contribution": "bench",
            "campaign": "winter-appeal",
            "source": "banner",
            "ref": "https://news.example.org/2026/11/25/the-story-that-made-them-give",
            "utm_source": "newsletter",
            "utm_medium": "email",
            "utm_campaign": "winter-appeal-2026",
        },
    )
    event = {
        "id": f"evt_{TOKEN}",
        "object": "event",
        "api_version": API_VERSION,
        "created": 1764000000,
        "data": {"object": intent},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_{TOKEN}", "idempotency_key": f"contribution:{TOKEN}:create"},
        "type": event_type,
    }
    return json.dumps(event, indent=2)


def body_for(tmpl: str, token: str) -> bytes:
    return tmpl.replace(TOKEN, token).encode()


def sign(*, secret: str, body: bytes, timestamp: int) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def write_wrk_data(
    *, directory: Path, name: str, prefix: str, count: int, secret: str, event_type: str = DEFAULT_EVENT_TYPE
) -> Path:
    """Write `<name>.tmpl` and `<name>.data` (count distinct events signed now) for signed_events.lua."""
    tmpl = template(event_type)
    (directory / f"{name}.tmpl").write_text(tmpl)
    timestamp = int(time.time())
    lines = []
    for n in range(count):
        token = f"{prefix}{n:07d}"
        lines.append(f"{token} {sign(secret=secret, body=body_for(tmpl, token), timestamp=timestamp)}\n")
    data = directory / f"{name}.data"
    data.write_text("".join(lines))
    return data


@dataclass
class BurstPlan:
    """Events to send once each, and re-sends of some of them shortly after (as Stripe retries do)."""

    sends: list[tuple[str, bytes, str]]
    distinct: set[str]
    duplicates: int


def plan_burst(
    *, prefix: str, total: int, duplicate_share: float, secret: str, event_type: str, seed: int = 7
) -> BurstPlan:
    """`total` requests of which `duplicate_share` re-send an event 1-200 positions after its first send."""
    rng = random.Random(seed)
    tmpl = template(event_type)
    n_duplicates = int(total * duplicate_share)
    n_distinct = total - n_duplicates
    tokens = [f"{prefix}{n:07d}" for n in range(n_distinct)]
    order: list[str] = list(tokens)
    for token in rng.sample(tokens, n_duplicates):
        first = order.index(token)
        order.insert(min(len(order), first + rng.randint(1, 200)), token)
    now = int(time.time())
    sends = []
    seen: Counter[str] = Counter()
    for token in order:
        body = body_for(tmpl, token)
        # a retry is signed again, later, like Stripe's: same body, new timestamp
        sends.append((token, body, sign(secret=secret, body=body, timestamp=now + seen[token])))
        seen[token] += 1
    return BurstPlan(sends=sends, distinct=set(tokens), duplicates=n_duplicates)


@dataclass
class BurstResult:
    statuses: Counter = field(default_factory=Counter)
    accepted_tokens: set[str] = field(default_factory=set)
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0


def send_burst(*, plan: BurstPlan, port: int, path: str, connections: int) -> BurstResult:
    """Send every request once over `connections` keep-alive connections; remember which ids got 2xx."""
    result = BurstResult()
    lock = threading.Lock()
    cursor = iter(plan.sends)

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                item = next(cursor, None)
            if item is None:
                break
            token, body, signature = item
            headers = {"Content-Type": "application/json", "Stripe-Signature": signature}
            started = time.perf_counter()
            try:
                conn.request("POST", path, body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                result.statuses[status] += 1
                result.latencies_ms.append(elapsed)
                if 200 <= status < 300:
                    result.accepted_tokens.add(token)
                elif status == 0:
                    result.errors += 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - started
    return result
