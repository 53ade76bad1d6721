"""Fixtures of the membership tests: webhook delivery processed in-process (from the payments tests)."""

from tests.payments.conftest import celery_eager, deliver_processed

__all__ = ["celery_eager", "deliver_processed"]
