"""The Stripe client built from settings, and the helpers every call goes through (errors: `errors`).

How long we wait for Stripe: every attempt has a connect and a read timeout (settings), retried up to
STRIPE_MAX_NETWORK_RETRIES times. Inside `stripe_budget(seconds=...)` (a reader's request) the calls
share one deadline: each attempt's timeouts shrink to the time left, a retry starts only if its pause
and a useful attempt still fit, and no call starts once the time is spent. So a hung Stripe costs a
reader at most the budget (plus one connect timeout if connecting itself is slow), never three times 20 s.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import time
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import stripe
from django.conf import settings

from payments.gateway.errors import CardError, GatewayError
from payments.gateway.shapes import object_id

# One logger for the whole package, named as it was before the split.
logger = logging.getLogger("payments.gateway")

# Below this much time left, a call or a retry is not worth starting (it would only time out).
MIN_ATTEMPT_SECONDS = 0.5
# Calls that may take money: a failure after one of them was sent leaves the payment's outcome unknown.
CHARGING_OPERATIONS = frozenset({"payment intent confirm", "subscription create"})
# Stripe refusing these (4xx invalid request, e.g. resource_missing) means the reader's card is unusable.
PAYMENT_METHOD_LOOKUPS = frozenset({"payment method retrieve"})


@dataclass
class StripeBudget:
    """The time one request may still spend waiting for Stripe, and whether a charging call was sent."""

    expires_at: float
    charge_sent: bool = False

    def remaining(self) -> float:
        return self.expires_at - time.monotonic()


_budget: ContextVar[StripeBudget | None] = ContextVar("stripe_budget", default=None)


@contextlib.contextmanager
def stripe_budget(*, seconds: float) -> Iterator[StripeBudget]:
    """Bound all Stripe calls made inside the block (this thread or task) to `seconds` in total."""
    budget = StripeBudget(expires_at=time.monotonic() + seconds)
    token = _budget.set(budget)
    try:
        yield budget
    finally:
        _budget.reset(token)


class BudgetedRequestsClient(stripe.RequestsClient):
    """The SDK's requests client, with (connect, read) timeouts and retries cut to the current budget.

    The SDK reads `self._timeout` for every attempt and asks `_should_retry` after each failure, so
    both are where the budget applies; outside a budget they are the configured ones.
    """

    def __init__(self, *, connect_timeout: float, read_timeout: float) -> None:
        self._limits = (connect_timeout, read_timeout)
        super().__init__(timeout=self._limits)

    @property
    def _timeout(self) -> tuple[float, float]:
        connect, read = self._limits
        budget = _budget.get()
        if budget is None:
            return self._limits
        left = max(budget.remaining(), 0.05)
        return (min(connect, left), min(read, left))

    @_timeout.setter
    def _timeout(self, value: tuple[float, float]) -> None:
        self._limits = value

    def _should_retry(self, response, api_connection_error, num_retries, max_network_retries) -> bool:
        budget = _budget.get()
        if budget is not None:
            longest_pause = min(self.INITIAL_DELAY * 2**num_retries, self.MAX_DELAY)
            if budget.remaining() < longest_pause + MIN_ATTEMPT_SECONDS:
                return False
        return super()._should_retry(response, api_connection_error, num_retries, max_network_retries)


@functools.lru_cache(maxsize=8)
def _build_client(
    api_key: str,
    api_base: str | None,
    api_version: str,
    connect_timeout: float,
    read_timeout: float,
    retries: int,
) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        stripe_version=api_version,
        base_addresses={"api": api_base} if api_base else None,
        max_network_retries=retries,
        http_client=BudgetedRequestsClient(connect_timeout=connect_timeout, read_timeout=read_timeout),
    )


def client() -> stripe.StripeClient:
    """The Stripe client for the current settings (tests may point STRIPE_API_BASE elsewhere)."""
    return _build_client(
        settings.STRIPE_SECRET_KEY,
        settings.STRIPE_API_BASE,
        settings.STRIPE_API_VERSION,
        settings.STRIPE_CONNECT_TIMEOUT_SECONDS,
        settings.STRIPE_TIMEOUT_SECONDS,
        settings.STRIPE_MAX_NETWORK_RETRIES,
    )


def probe_client() -> stripe.StripeClient:
    """The health check's client: one short attempt (STRIPE_HEALTH_TIMEOUT_SECONDS), never retried."""
    timeout = settings.STRIPE_HEALTH_TIMEOUT_SECONDS
    return _build_client(
        settings.STRIPE_SECRET_KEY, settings.STRIPE_API_BASE, settings.STRIPE_API_VERSION, timeout, timeout, 0
    )


def to_dict(obj: Any) -> dict:
    """A plain dict from a StripeObject (or a dict, as webhook payloads are)."""
    if obj is None:
        return {}
    if isinstance(obj, stripe.StripeObject):
        return obj.to_dict()
    return dict(obj)


def _call(operation: str, fn, *args, **kwargs):
    """Run one SDK call, turning SDK errors into our two error types.

    A payment method Stripe says is invalid or missing is the reader's card problem (CardError);
    anything else (no connection, a timeout, Stripe's 5xx, our own key refused) is a GatewayError.
    """
    budget = _budget.get()
    if budget is not None:
        if budget.remaining() < MIN_ATTEMPT_SECONDS:
            logger.warning("Stripe %s not sent: the request's time for Stripe is spent", operation)
            raise GatewayError(f"Stripe {operation} not sent: the request's time for Stripe is spent")
        if operation in CHARGING_OPERATIONS:
            budget.charge_sent = True
    try:
        return fn(*args, **kwargs)
    except stripe.CardError as exc:
        error = exc.error
        raise CardError(
            exc.user_message or str(exc),
            code=getattr(error, "code", None) or "card_declined",
            decline_code=getattr(error, "decline_code", None),
            payment_intent_id=object_id(getattr(error, "payment_intent", None)),
        ) from exc
    except stripe.InvalidRequestError as exc:
        if operation in PAYMENT_METHOD_LOOKUPS and exc.http_status in {400, 404}:
            raise CardError(exc.user_message or str(exc), code=exc.code or "invalid_payment_method") from exc
        logger.warning("Stripe %s failed: %s", operation, exc)
        raise GatewayError(f"Stripe {operation} failed: {exc.user_message or exc}") from exc
    except stripe.StripeError as exc:
        logger.warning("Stripe %s failed: %s", operation, exc)
        raise GatewayError(f"Stripe {operation} failed: {exc.user_message or exc}") from exc


def _paginate(operation: str, list_fn, params: Mapping, starting_after: str | None = None):
    """Yield every object of a Stripe list as a dict, page by page (100 a page), from `starting_after`."""
    cursor = starting_after
    while True:
        page_params = {**params, "limit": 100}
        if cursor:
            page_params["starting_after"] = cursor
        page = _call(operation, list_fn, page_params)
        items = [to_dict(item) for item in page.data]
        yield from items
        if not page.has_more or not items:
            return
        cursor = items[-1]["id"]
