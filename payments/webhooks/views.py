"""POST /stripe/webhook: verify, store once, queue processing, answer fast. Nothing else."""

import logging

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from payments import gateway
from payments.webhooks import processing, publisher

logger = logging.getLogger(__name__)

RECEIVED = b'{"received": true}'


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": {"field": "body", "message": message}}, status=status)


@csrf_exempt
@require_POST
@transaction.non_atomic_requests
def stripe_webhook(request: HttpRequest) -> HttpResponse:
    """The hot path: one INSERT (ON CONFLICT DO NOTHING) and a hand-off to the batch publisher.

    The view runs in autocommit, so the event is durable once the INSERT returns, and `on_commit`
    hands it on at once. A duplicate delivery is handed on again: the task's claim makes it a no-op once
    processed, and it re-queues an event whose first publish was lost.
    """
    limit = settings.STRIPE_WEBHOOK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _error(400, "Content-Length is not a number.")
    if declared > limit:
        return _error(413, f"The body is larger than {limit} bytes.")
    payload = request.read(limit + 1)
    if len(payload) > limit:
        return _error(413, f"The body is larger than {limit} bytes.")
    try:
        event = gateway.verify_webhook(payload, request.META.get("HTTP_STRIPE_SIGNATURE", ""))
    except gateway.MalformedEventError as exc:
        logger.warning("Refused a signed Stripe delivery that is not a usable event: %s", exc)
        return _error(400, str(exc))
    except gateway.InvalidWebhookError as exc:
        return _error(400, str(exc))
    processing.webhook_event_store(event=event, body=payload)
    transaction.on_commit(lambda: publisher.webhook_event_enqueue(stripe_event_id=event.id))
    return HttpResponse(RECEIVED, content_type="application/json")
