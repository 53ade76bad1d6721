"""Baselines for the webhook benchmark, served by the same gunicorn, settings and database.

`bare` is the ceiling for any view on this stack; `insert` is the floor cost of durable ingest:
verify Stripe's HMAC the way Stripe documents it, then store the raw body with one SQL statement.
"""

import hashlib
import hmac
import json
import time

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

TOLERANCE_SECONDS = 300
TABLE_SQL = "CREATE TABLE IF NOT EXISTS bench_raw_event (id text PRIMARY KEY, body text NOT NULL)"
INSERT_SQL = "INSERT INTO bench_raw_event (id, body) VALUES (%s, %s) ON CONFLICT DO NOTHING"


@csrf_exempt
def bare(request: HttpRequest) -> HttpResponse:
    """Answer 200 and nothing else: the whole middleware stack, no work."""
    return HttpResponse(b"ok", content_type="text/plain")


def signature_valid(*, body: bytes, header: str, secret: str, now: float) -> bool:
    """Stripe's scheme: `t=<ts>,v1=<hex hmac_sha256(secret, "<ts>.<body>")>`, within the tolerance."""
    timestamp = ""
    candidates = []
    for item in header.split(","):
        key, _, value = item.strip().partition("=")
        if key == "t":
            timestamp = value
        elif key == "v1":
            candidates.append(value)
    if not timestamp.isdigit() or not candidates or abs(now - int(timestamp)) > TOLERANCE_SECONDS:
        return False
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate) for candidate in candidates)


@csrf_exempt
def insert(request: HttpRequest) -> HttpResponse:
    """Verify the signature, then one INSERT (autocommit: durable when the answer leaves)."""
    body = request.body
    header = request.headers.get("Stripe-Signature", "")
    if not signature_valid(body=body, header=header, secret=settings.STRIPE_WEBHOOK_SECRET, now=time.time()):
        return HttpResponse(status=400)
    try:
        event_id = json.loads(body)["id"]
    except (ValueError, KeyError, TypeError):
        return HttpResponse(status=400)
    with connection.cursor() as cursor:
        cursor.execute(INSERT_SQL, [event_id, body.decode()])
    return HttpResponse(b"ok", content_type="text/plain")
