"""Emails are plain text: what a reader typed reads as typed, and nothing they typed becomes a header."""

import email
import email.policy
import logging

import pytest
from django.core import mail

from accounts.tasks import send_templated_email
from payments.emails import contribution_receipt_send
from payments.models import Contribution
from tests.factories import ContributionFactory, ContributorFactory

pytestmark = pytest.mark.django_db

NAME = "Zoë O'Brien & Sons"
SITE_NAME = "The Reader's Gazette & Co"
INJECTION = "\r\nBcc: x@example.org"


def _receipt_for(name: str):
    contribution = ContributionFactory(
        contributor=ContributorFactory(name=name, email="zoe@example.org"),
        status=Contribution.Status.SUCCEEDED,
    )
    assert contribution_receipt_send(contribution_id=contribution.pk) is True
    [message] = mail.outbox
    return message


def _as_a_mail_server_reads_it(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_a_receipt_greets_the_reader_by_name_exactly_as_written():
    message = _receipt_for(NAME)

    assert message.body.splitlines()[0] == f"Dear {NAME},"
    assert "&amp;" not in message.body
    assert "&#x27;" not in message.body


def test_a_receipt_subject_names_the_site_exactly_as_written(settings):
    settings.SITE_NAME = SITE_NAME

    message = _receipt_for(NAME)

    assert message.subject.startswith(f"Your receipt from {SITE_NAME}: ")
    assert str(_as_a_mail_server_reads_it(message)["Subject"]).startswith(f"Your receipt from {SITE_NAME}: ")


def test_a_name_with_a_line_break_and_a_header_adds_no_header():
    message = _receipt_for(f"Zoë{INJECTION}")

    parsed = _as_a_mail_server_reads_it(message)
    assert parsed["Bcc"] is None
    assert message.recipients() == ["zoe@example.org"]
    assert parsed.get_content().startswith("Dear Zoë\nBcc: x@example.org,")  # body text, not a header


def test_a_value_with_a_line_break_in_the_subject_stays_on_one_line_and_adds_no_header(settings):
    settings.SITE_NAME = SITE_NAME

    send_templated_email(
        to="zoe@example.org",
        template="emails/receipt",
        context={"name": NAME, "amount": f"€10.00{INJECTION}"},
    )

    [message] = mail.outbox
    parsed = _as_a_mail_server_reads_it(message)
    assert message.subject == f"Your receipt from {SITE_NAME}: €10.00 Bcc: x@example.org"
    assert parsed["Bcc"] is None
    assert message.recipients() == ["zoe@example.org"]


def test_a_recipient_with_a_line_break_is_not_sent_to_and_is_logged(caplog):
    with caplog.at_level(logging.ERROR, logger="accounts.tasks"):
        send_templated_email(
            to=f"zoe@example.org{INJECTION}", template="emails/welcome", context={"name": NAME}
        )

    assert mail.outbox == []
    assert "has a line break" in caplog.text


def test_an_html_body_beside_the_text_is_attached_and_escaped(settings, tmp_path):
    (tmp_path / "emails").mkdir()
    (tmp_path / "emails" / "note_subject.txt").write_text("Note for {{ name }}")
    (tmp_path / "emails" / "note_body.txt").write_text("Dear {{ name }},")
    (tmp_path / "emails" / "note_body.html").write_text("<p>Dear {{ name }},</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}]

    send_templated_email(to="zoe@example.org", template="emails/note", context={"name": NAME})

    [message] = mail.outbox
    assert message.subject == f"Note for {NAME}"
    assert message.body == f"Dear {NAME},"
    assert message.alternatives[0] == ("<p>Dear Zoë O&#x27;Brien &amp; Sons,</p>", "text/html")
