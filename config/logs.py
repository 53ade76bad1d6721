"""Log records that are safe to keep and easy to search: personal data and secrets redacted from every
line, and in production one JSON object per line with the request id and the Stripe event id.

Redacted, whatever logged them (our code, Django, Celery, the Stripe SDK): email addresses (kept as
`o***@example.org`), card numbers (13 to 19 digits that pass the Luhn check), Stripe secrets and client
secrets, JSON Web Tokens (the member token), staff API tokens, and the signed tokens in one-click links.
"""

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest, HttpResponse

from payments.log_context import stripe_event_id_var

request_id_var: ContextVar[str] = ContextVar("request_id", default="")

EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")
CARD = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")
SECRETS = [
    re.compile(r"\b(?:sk|rk|pk)_(?:live|test)_[A-Za-z0-9]+"),
    re.compile(r"\bwhsec_[A-Za-z0-9]+"),
    re.compile(r"\b(?:pi|seti)_[A-Za-z0-9]+_secret_[A-Za-z0-9]+"),
    re.compile(r"\beyJ[\w-]+\.[\w-]+\.[\w-]+"),  # a JWT: the member token
    re.compile(r"\brrk_[\w-]+"),  # a staff API token
]
LINK_TOKEN = re.compile(r"(/(?:link|confirm|unsubscribe|preferences)/)[^/\s\"']+")


def _luhn(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    return "[card]" if 13 <= len(digits) <= 19 and _luhn(digits) else match.group(0)


def redact(text: str) -> str:
    text = CARD.sub(_card, text)
    for pattern in SECRETS:
        text = pattern.sub("[secret]", text)
    text = LINK_TOKEN.sub(r"\1[token]", text)
    return EMAIL.sub(r"\1***@\2", text)


class RedactingFilter(logging.Filter):
    """Rewrites the record's message (and traceback) once, before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = redact(record.getMessage())
        record.msg, record.args = message, None
        if record.exc_info:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if request_id := request_id_var.get():
            entry["request_id"] = request_id
        if event_id := stripe_event_id_var.get():
            entry["stripe_event_id"] = event_id
        if record.exc_text:
            entry["exception"] = record.exc_text
        elif record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


REQUEST_ID = re.compile(r"^[\w.-]{1,100}$")


class RequestIdMiddleware:
    """The proxy's X-Request-ID (nginx's $request_id) or a new one: on every log line of the request and
    on the answer, so a reader's report and the logs meet."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response
