"""The outgoing webhook: signed, sent on confirmation and unsubscribe, retried, and delivered once."""

import datetime
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
from django.utils import timezone

from newsletters.models import SignupEvent
from newsletters.services import signup_confirm, signup_unsubscribe
from newsletters.tasks import deliver_pending_signup_webhooks
from newsletters.webhooks import SIGNATURE_HEADER, signature_header, signature_verify, webhook_deliver
from tests.localstripe import free_port
from tests.newsletters.factories import SignupFactory

pytestmark = pytest.mark.django_db
SECRET = "nlwh_test_secret"


class Receiver:
    """A mailing tool's endpoint on 127.0.0.1 that records what it is sent, answering `status`."""

    def __init__(self):
        self.requests: list[tuple[dict, bytes]] = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", free_port()), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/newsletter"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    receiver = Receiver()
    settings.NEWSLETTER_WEBHOOK_URL, settings.NEWSLETTER_WEBHOOK_SECRET = receiver.url, SECRET
    yield receiver
    receiver.stop()


def test_a_confirmation_is_posted_signed_to_the_mailing_tool(
    receiver, celery_eager, django_capture_on_commit_callbacks, ukraine_daily
):
    signup = SignupFactory(newsletter=ukraine_daily, email="olena@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        signup_confirm(public_ids=[str(signup.public_id)])

    [(headers, body)] = receiver.requests
    assert signature_verify(body=body, header=headers[SIGNATURE_HEADER], secret=SECRET)
    payload = json.loads(body)
    assert payload["type"] == "newsletter_signup.confirmed"
    assert payload["data"]["email"] == "olena@example.org"
    assert payload["data"]["newsletter"] == "ukraine-daily"
    assert SignupEvent.objects.get(kind="confirmed").webhook_delivered_at is not None


def test_an_unsubscribe_is_posted_too(
    receiver, celery_eager, django_capture_on_commit_callbacks, ukraine_daily
):
    signup = SignupFactory(newsletter=ukraine_daily, status="confirmed", confirmed_at="2026-11-01T08:00Z")

    with django_capture_on_commit_callbacks(execute=True):
        signup_unsubscribe(public_id=str(signup.public_id), how="link")

    assert json.loads(receiver.requests[0][1])["type"] == "newsletter_signup.unsubscribed"


def test_a_delivered_event_is_never_sent_again(receiver, ukraine_daily):
    signup = SignupFactory(newsletter=ukraine_daily)
    signup_confirm(public_ids=[str(signup.public_id)])
    event = SignupEvent.objects.get(kind="confirmed")

    assert webhook_deliver(event_id=event.pk) is True
    assert webhook_deliver(event_id=event.pk) is False
    assert len(receiver.requests) == 1


def test_a_failing_receiver_raises_so_the_task_retries_and_the_event_stays_undelivered(
    receiver, ukraine_daily
):
    receiver.status = 503
    signup = SignupFactory(newsletter=ukraine_daily)
    signup_confirm(public_ids=[str(signup.public_id)])
    event = SignupEvent.objects.get(kind="confirmed")

    with pytest.raises(requests.HTTPError):
        webhook_deliver(event_id=event.pk)

    event.refresh_from_db()
    assert event.webhook_delivered_at is None


def test_the_sweep_sends_events_whose_task_was_lost(receiver, celery_eager, ukraine_daily):
    signup = SignupFactory(newsletter=ukraine_daily)
    signup_confirm(public_ids=[str(signup.public_id)])  # its on-commit task never ran
    SignupEvent.objects.update(at=timezone.now() - datetime.timedelta(minutes=10))

    assert deliver_pending_signup_webhooks() == 1
    assert deliver_pending_signup_webhooks() == 0  # delivered: not sent again

    assert len(receiver.requests) == 1


def test_a_signature_from_another_secret_or_too_old_is_refused():
    body = b'{"id":"nse_1"}'
    header = signature_header(body=body, timestamp=1_800_000_000, secret=SECRET)

    assert signature_verify(body=body, header=header, secret=SECRET, now=1_800_000_010)
    assert not signature_verify(body=body, header=header, secret="other", now=1_800_000_010)
    assert not signature_verify(body=body + b" ", header=header, secret=SECRET, now=1_800_000_010)
    assert not signature_verify(body=body, header=header, secret=SECRET, now=1_800_000_000 + 301)
