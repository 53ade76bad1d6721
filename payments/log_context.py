"""The Stripe event being processed, for the log lines written meanwhile (config/logs.py prints it)."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

stripe_event_id_var: ContextVar[str] = ContextVar("stripe_event_id", default="")


@contextmanager
def stripe_event_logged(stripe_event_id: str) -> Iterator[None]:
    token = stripe_event_id_var.set(stripe_event_id)
    try:
        yield
    finally:
        stripe_event_id_var.reset(token)
