"""The banner's two endpoints on the news site's pages: the decision (GET, shared-cacheable, no query
once warm) and the events (POST from `navigator.sendBeacon`, buffered). Plain views, not the ninja API:
they are the busiest routes of the site and answer any origin.
"""

import json
import logging

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone, translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods

from checkout.ratelimit import client_ip, hit, parse_rate
from engagement.decisions import BUCKETS, DecisionInput, banner_decide, bucket_of, current_snapshot
from engagement.events import EventBatchError, batch_accept, batch_parse

logger = logging.getLogger(__name__)

MAX_EVENTS_BODY_BYTES = 16 * 1024
MAX_TAGS = 20


def _error(message: str, *, field: str, status: int = 400, code: str = "invalid") -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message, "field": field}}, status=status)
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _language(request: HttpRequest, vary: list[str]) -> str:
    languages = dict(settings.LANGUAGES)
    asked = request.GET.get("lang", "").strip().lower().replace("_", "-").split("-")[0]
    if asked in languages:
        return asked
    vary.append("Accept-Language")
    return translation.get_language_from_request(request) or settings.LANGUAGE_CODE


def _country(request: HttpRequest, vary: list[str]) -> str:
    asked = request.GET.get("country", "").strip().upper()
    if len(asked) == 2 and asked.isalpha():
        return asked
    header = settings.ENGAGEMENT_COUNTRY_HEADER
    if not header:
        return ""
    vary.append(header)
    return request.headers.get(header, "").strip().upper()[:2]


def _decision_input(request: HttpRequest, vary: list[str]) -> DecisionInput:
    params = request.GET
    try:
        views = int(params.get("views", "0") or 0)
    except ValueError:
        raise EventBatchError("views must be a whole number.", field="views") from None
    if params.get("bucket", "") != "":
        try:
            bucket = int(params["bucket"])
        except ValueError:
            bucket = -1
        if not 0 <= bucket < BUCKETS:
            raise EventBatchError(f"bucket must be a whole number from 0 to {BUCKETS - 1}.", field="bucket")
    else:
        bucket = bucket_of(params.get("browser", "")[:64])
    tags = frozenset(
        tag.strip().lower() for tag in params.get("tags", "").split(",")[:MAX_TAGS] if tag.strip()
    )
    return DecisionInput(
        site=params.get("site", "")[:100],
        section=params.get("section", "").strip().lower()[:100],
        tags=tags,
        views=max(0, min(views, 10_000)),
        language=_language(request, vary),
        country=_country(request, vary),
        bucket=bucket,
        ref=params.get("url", "")[:500],
    )


@require_GET
def banner_decision(request: HttpRequest) -> HttpResponse:
    """Which banner, in which words and variant, for these inputs: nothing personal, so a CDN may keep
    it for ENGAGEMENT_DECISION_MAX_AGE seconds by its URL and the headers named in Vary."""
    vary: list[str] = []
    try:
        decision_input = _decision_input(request, vary)
    except EventBatchError as exc:
        return _error(exc.message, field=exc.field)
    with translation.override(decision_input.language):
        banner = banner_decide(
            snapshot=current_snapshot(),
            request=decision_input,
            locale=translation.to_locale(decision_input.language),
            now=timezone.now(),
        )
    response = JsonResponse({"show": banner is not None, "lang": decision_input.language, "banner": banner})
    response["Cache-Control"] = f"public, max-age={settings.ENGAGEMENT_DECISION_MAX_AGE}"
    response["Access-Control-Allow-Origin"] = "*"
    response.vary_exactly = vary  # type: ignore[attr-defined]  # engagement.middleware.ExactVaryMiddleware
    return response


def _limited(scope: str, value: str, rate: str) -> int | None:
    return hit(scope=scope, value=value, rate=parse_rate(rate)) if value else None


@csrf_exempt
@require_http_methods(["POST", "OPTIONS"])
def banner_events(request: HttpRequest) -> HttpResponse:
    """A batch of events from banner.js (text/plain JSON, so no preflight): checked, then buffered."""
    if request.method == "OPTIONS":
        response = HttpResponse(status=204)
        response["Access-Control-Allow-Origin"] = "*"
        response["Access-Control-Allow-Methods"] = "POST"
        response["Access-Control-Allow-Headers"] = "Content-Type"
        response["Access-Control-Max-Age"] = "86400"
        return response
    if len(request.body) > MAX_EVENTS_BODY_BYTES:
        return _error("The batch is too large.", field="events", status=413, code="too_large")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return _error("The body must be JSON.", field="", code="invalid_json")
    browser = str(payload.get("browser", ""))[:64] if isinstance(payload, dict) else ""
    retry_after = _limited("banner-events-browser", browser, settings.BANNER_EVENTS_BROWSER_RATE) or _limited(
        "banner-events-ip", client_ip(request), settings.BANNER_EVENTS_IP_RATE
    )
    if retry_after:
        response = _error("Too many events; try later.", field="", status=429, code="rate_limited")
        response["Retry-After"] = str(retry_after)
        return response
    snapshot = current_snapshot()
    known = {variant.code for message in snapshot.messages for variant in message.variants}
    try:
        batch = batch_parse(payload, known_codes=known)
    except EventBatchError as exc:
        return _error(exc.message, field=exc.field)
    try:
        batch_accept(batch)
    except redis.RedisError:
        logger.warning(
            "Banner events could not be buffered (Redis unavailable); batch %s dropped", batch.batch_id
        )
        return _error("Events cannot be counted right now.", field="", status=503, code="unavailable")
    response = JsonResponse({"accepted": len(batch.events), "batch_id": batch.batch_id}, status=202)
    response["Access-Control-Allow-Origin"] = "*"
    return response
