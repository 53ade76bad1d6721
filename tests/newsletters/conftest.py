"""Newsletter tests run their tasks (emails, webhooks) in-process, whatever broker the run has."""

import pytest

from tests.newsletters.factories import NewsletterFactory
from tests.payments.conftest import celery_eager

__all__ = ["celery_eager"]


@pytest.fixture
def ukraine_daily(db):
    return NewsletterFactory(slug="ukraine-daily", name="Ukraine Daily")


@pytest.fixture
def sign_up(client, celery_eager, django_capture_on_commit_callbacks):
    """POST the footer's form as a reader would, running what the view queues on commit."""

    def _sign_up(email="olena@example.org", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post("/newsletters/signup/", {"email": email, "source": "footer", **fields})

    return _sign_up
