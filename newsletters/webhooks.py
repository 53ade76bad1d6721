"""The outgoing webhook to the newsroom's mailing tool: one signed POST per confirmation and unsubscribe.

The body is JSON; `X-Newsletter-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with
NEWSLETTER_WEBHOOK_SECRET, as Stripe signs its own, so the receiver can check it came from us and is
fresh. Delivery is at least once: an event that was delivered is never sent again, and its `id` lets
the receiver ignore a repeat after a lost answer.
"""

import hashlib
import hmac
import json
import time

import requests
from django.conf import settings
from django.utils import timezone

from newsletters.links import preferences_url, unsubscribe_url
from newsletters.models import SignupEvent

SIGNATURE_HEADER = "X-Newsletter-Signature"
TOLERANCE_SECONDS = 300


def signature_header(*, body: bytes, timestamp: int, secret: str) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def signature_verify(*, body: bytes, header: str, secret: str, now: int | None = None) -> bool:
    """What a receiver runs (docs/newsletters.md has it): the signature matches and is recent."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts.get("t", ""))
    except ValueError:
        return False
    if abs((now if now is not None else int(time.time())) - timestamp) > TOLERANCE_SECONDS:
        return False
    expected = signature_header(body=body, timestamp=timestamp, secret=secret)
    return hmac.compare_digest(expected, header.strip())


def event_payload(event: SignupEvent) -> dict:
    signup = event.signup
    return {
        "id": f"nse_{event.pk}",
        "type": f"newsletter_signup.{event.kind}",
        "created": int(event.at.timestamp()),
        "data": {
            "signup_id": str(signup.public_id),
            "email": signup.email,
            "newsletter": signup.newsletter.slug,
            "status": signup.status,
            "language": signup.language,
            "consent_text": signup.consent_text,
            "consent_at": signup.consent_at.isoformat(),
            "unsubscribe_url": unsubscribe_url(public_id=str(signup.public_id)),
            "preferences_url": preferences_url(email=signup.email),
        },
    }


def webhook_deliver(*, event_id: int) -> bool:
    """POST the event if a URL is set and it was not delivered yet; True when this call delivered it.
    A network error or a non-2xx answer raises (requests.RequestException), so the task retries."""
    url, secret = settings.NEWSLETTER_WEBHOOK_URL, settings.NEWSLETTER_WEBHOOK_SECRET
    if not url:
        return False
    event = SignupEvent.objects.select_related("signup__newsletter").filter(pk=event_id).first()
    if event is None or event.webhook_delivered_at is not None:
        return False
    body = json.dumps(event_payload(event), separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature_header(body=body, timestamp=int(time.time()), secret=secret),
    }
    response = requests.post(
        url, data=body, headers=headers, timeout=settings.NEWSLETTER_WEBHOOK_TIMEOUT_SECONDS
    )
    response.raise_for_status()
    SignupEvent.objects.filter(pk=event.pk, webhook_delivered_at__isnull=True).update(
        webhook_delivered_at=timezone.now()
    )
    return True
