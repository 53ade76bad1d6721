"""Shared fixtures: a private localstripe per test session, flushed between tests; Celery helpers."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.cache import cache

from config.celery import app
from tests.localstripe import LocalStripe


@pytest.fixture(autouse=True)
def empty_cache():
    """Rate limits and the circuit-breaker flag live in the cache (Redis in CI): each test starts empty."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="session")
def localstripe_server():
    server = LocalStripe().start()
    yield server
    server.stop()


@pytest.fixture
def localstripe(localstripe_server, settings):
    """Point the gateway at the private localstripe, with empty state for this test."""
    localstripe_server.flush()
    settings.STRIPE_API_BASE = localstripe_server.url
    settings.STRIPE_JS_URL = f"{localstripe_server.url}/js.stripe.com/v3/"
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    return localstripe_server


def broker_configured() -> bool:
    return bool(settings.CELERY_BROKER_URL)


requires_broker = pytest.mark.skipif(
    not broker_configured(), reason="CELERY_BROKER_URL is not set (CI sets it to Redis)"
)


@pytest.fixture
def celery_worker_thread(transactional_db):
    """A real Celery worker in a thread, consuming from the configured broker (Redis in CI)."""
    app.conf.task_always_eager = False
    with start_worker(
        app, perform_ping_check=False, pool="solo", loglevel="WARNING", shutdown_timeout=10
    ) as worker:
        yield worker
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER
