"""Errors to Sentry when SENTRY_DSN is set, scrubbed like our logs before anything leaves the process.

Every string of an event, breadcrumb, log or span goes through `config.logs.redact` (emails, card
numbers, Stripe secrets and client secrets, JWTs, staff API tokens, link tokens), wherever it sits:
exception values, messages, breadcrumbs, request data, extra, frames' local variables. Cookies and
credential headers are dropped. sentry-sdk 3 has no `send_default_pii`: `DATA_COLLECTION` says the
same (no user, cookies, bodies or SQL parameters).
"""

import logging
from typing import Any

import sentry_sdk
from sentry_sdk.integrations.celery import CeleryIntegration
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.integrations.logging import LoggingIntegration
from sentry_sdk.transport import Transport
from sentry_sdk.types import Breadcrumb, BreadcrumbHint, DataCollectionUserOptions, Event, Hint, Log, SpanJSON

from config.logs import redact

DATA_COLLECTION: DataCollectionUserOptions = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "denylist", "terms": ["cookie", "signature"]}},
    "http_bodies": [],
    "url_query_params": {"mode": "denylist", "terms": ["email", "token"]},
    "database_query_data": False,
}
DROPPED_HEADERS = {"authorization", "proxy-authorization", "cookie", "set-cookie", "stripe-signature"}
# Sentry's own identifiers and timestamps: left alone, as a run of digits in a hex id may pass Luhn.
STRUCTURAL_KEYS = {"event_id", "trace_id", "span_id", "parent_span_id", "timestamp", "start_timestamp"}


def scrub(value: Any) -> Any:
    """The same value with `redact` applied to every string in it, keys included, at any depth."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {scrub(key): item if key in STRUCTURAL_KEYS else scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    return value


def scrub_event(event: Event, _hint: Hint) -> Event:
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            request["headers"] = {
                name: value for name, value in headers.items() if str(name).lower() not in DROPPED_HEADERS
            }
    return scrub(event)


def scrub_breadcrumb(crumb: Breadcrumb, _hint: BreadcrumbHint) -> Breadcrumb:
    return scrub(crumb)


def scrub_log(log: Log, _hint: Hint) -> Log:
    return scrub(log)


def scrub_span(span: SpanJSON, _hint: Hint) -> SpanJSON:
    return scrub(span)


def sentry_init(
    *,
    dsn: str,
    environment: str,
    traces_sample_rate: float,
    transport: type[Transport] | Transport | None = None,
) -> bool:
    """Nothing without a DSN. A sample rate of 0 turns tracing off entirely (None to the SDK): 0 would
    still continue traces that requests bring in their headers. Error logs become events, warnings
    and above Sentry logs; `transport` is for tests, which must not reach the network."""
    if not dsn:
        return False
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        traces_sample_rate=traces_sample_rate or None,
        integrations=[
            DjangoIntegration(),
            CeleryIntegration(),
            LoggingIntegration(level=logging.WARNING, event_level=logging.ERROR),
        ],
        data_collection=DATA_COLLECTION,
        before_send=scrub_event,
        before_breadcrumb=scrub_breadcrumb,
        before_send_log=scrub_log,
        before_send_span=scrub_span,
        transport=transport,
    )
    return True
