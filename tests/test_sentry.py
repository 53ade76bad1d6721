"""Sentry only with a DSN, and nothing personal or secret leaves in what it sends: the same redaction as
the logs over every string of the event, cookies and credential headers dropped."""

import json
import logging

import pytest
import sentry_sdk
from sentry_sdk.envelope import Envelope
from sentry_sdk.transport import Transport

from config.sentry import scrub_event, sentry_init

CARD = "4242424242424242"
EMAIL = "reader@example.org"
KEY = "sk_test_51HxAbCdEfGhIj"


class RecordingTransport(Transport):
    """Keeps what the SDK would send, instead of sending it."""

    def __init__(self) -> None:
        super().__init__()
        self.envelopes: list[Envelope] = []

    def capture_envelope(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    def events(self) -> list[dict]:
        return [event for envelope in self.envelopes if (event := envelope.get_event()) is not None]

    def logs(self) -> list[dict]:
        return [
            log
            for envelope in self.envelopes
            for item in envelope.items
            if item.type == "log"
            for log in json.loads(item.payload.get_bytes())["items"]
        ]


@pytest.fixture
def sent():
    transport = RecordingTransport()
    assert sentry_init(
        dsn="https://public@sentry.invalid/1", environment="test", traces_sample_rate=0, transport=transport
    )
    yield transport
    sentry_sdk.get_client().close()
    sentry_sdk.get_global_scope().set_client(None)


def _charge_card(card_number: str, email: str, api_key: str) -> None:
    raise ValueError(f"card {card_number} of {email} refused with {api_key}")


def _capture_failure() -> None:
    try:
        _charge_card(CARD, EMAIL, KEY)
    except ValueError:
        sentry_sdk.capture_exception()
    sentry_sdk.flush()


def test_sentry_stays_off_without_a_dsn():
    assert sentry_init(dsn="", environment="test", traces_sample_rate=0) is False
    assert not sentry_sdk.get_client().is_active()


def test_an_exception_is_sent_with_its_card_email_and_key_redacted(sent):
    _capture_failure()

    (event,) = sent.events()
    (exception,) = event["exception"]["values"]
    assert exception["value"] == "card [card] of r***@example.org refused with [secret]"
    text = json.dumps(event)
    assert CARD not in text
    assert EMAIL not in text
    assert KEY not in text


def test_the_local_variables_of_the_failing_frame_are_redacted(sent):
    _capture_failure()

    (event,) = sent.events()
    frame = event["exception"]["values"][0]["stacktrace"]["frames"][-1]
    assert frame["function"] == "_charge_card"
    assert "[card]" in frame["vars"]["card_number"]
    assert "r***@example.org" in frame["vars"]["email"]
    assert "[secret]" in frame["vars"]["api_key"]


def test_breadcrumbs_from_the_log_are_redacted(sent):
    logging.getLogger("tests.sentry").warning("Receipt for %s to %s", CARD, EMAIL)
    _capture_failure()

    (event,) = sent.events()
    messages = [crumb.get("message", "") for crumb in event["breadcrumbs"]["values"]]
    assert "Receipt for [card] to r***@example.org" in messages
    text = json.dumps(event["breadcrumbs"])
    assert CARD not in text
    assert EMAIL not in text


def test_warnings_sent_as_sentry_logs_are_redacted(sent):
    logging.getLogger("tests.sentry").warning("Card %s of %s refused", CARD, EMAIL)
    sentry_sdk.flush()

    (log,) = [log for log in sent.logs() if log["body"].startswith("Card ")]
    assert log["body"] == "Card [card] of r***@example.org refused"
    text = json.dumps(log)
    assert CARD not in text
    assert EMAIL not in text


def test_cookies_and_authorization_are_dropped_and_request_data_redacted():
    event = {
        "event_id": "0123456789012345678901234567890a",
        "request": {
            "url": f"https://support.example.org/support/?email={EMAIL}",
            "cookies": {"sessionid": "abc"},
            "headers": {"Authorization": f"Bearer {KEY}", "Cookie": "sessionid=abc", "User-Agent": "Firefox"},
            "data": {"email": EMAIL, "note": f"card {CARD}"},
        },
        "extra": {"stripe_key": KEY},
    }

    scrubbed = scrub_event(event, {})

    request = scrubbed["request"]
    assert "cookies" not in request
    assert request["headers"] == {"User-Agent": "Firefox"}
    assert request["data"] == {"email": "r***@example.org", "note": "card [card]"}
    assert request["url"] == "https://support.example.org/support/?email=r***@example.org"
    assert scrubbed["extra"] == {"stripe_key": "[secret]"}
    assert scrubbed["event_id"] == event["event_id"]
