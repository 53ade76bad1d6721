"""Checks behind /healthz: can we reach the database, the Celery broker and Stripe?"""

from dataclasses import dataclass

from django.conf import settings
from django.db import Error as DatabaseError
from django.db import connection
from kombu import Connection
from kombu.exceptions import KombuError

from payments import gateway


@dataclass(frozen=True)
class ComponentHealth:
    name: str
    ok: bool
    detail: str


def check_database() -> ComponentHealth:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return ComponentHealth("database", False, _first_line(exc))
    return ComponentHealth("database", True, connection.vendor)


def check_broker() -> ComponentHealth:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return ComponentHealth("broker", True, "not configured: tasks run in-process")
    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except (KombuError, OSError) as exc:
        return ComponentHealth("broker", False, _first_line(exc))
    return ComponentHealth("broker", True, "reachable")


def check_stripe() -> ComponentHealth:
    """One authenticated request with the short STRIPE_HEALTH_TIMEOUT_SECONDS, never retried (a hung
    Stripe must not hold /healthz, nor the worker thread answering it)."""
    try:
        gateway.ping()
    except gateway.GatewayError as exc:
        return ComponentHealth("stripe", False, str(exc))
    return ComponentHealth("stripe", True, settings.STRIPE_API_BASE or "api.stripe.com")


def check_all() -> list[ComponentHealth]:
    return [check_database(), check_broker(), check_stripe()]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
