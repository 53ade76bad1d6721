"""Fixtures of the payments tests (webhooks, ledger, reconciliation)."""

import pytest

from config.celery import app
from tests.payments.webhooks import deliver


@pytest.fixture
def celery_eager():
    """Run tasks in-process for this test, whatever broker the run is configured with."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def deliver_processed(client, celery_eager, django_capture_on_commit_callbacks):
    """Deliver an event and run what the view queued on commit (the processing task, in-process)."""

    def _deliver(event):
        with django_capture_on_commit_callbacks(execute=True):
            return deliver(client, event)

    return _deliver
