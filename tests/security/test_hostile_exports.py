"""Hostile input in what leaves the pages (issue #15): CSVs open as text in a spreadsheet, emails keep their
headers and escape their HTML part, PDFs print bidi text and emoji, the data export carries text as written;
and the checkout API stores what the reader typed as written. The pages are in test_hostile_input.py.
"""

import csv
import datetime
import io
import json

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from membership.emails import membership_welcome_send
from membership.models import Benefit, MembershipNotice, Tier
from membership.notices import notice_email_send
from newsletters.models import NewsletterSignup
from newsletters.services import signup_confirm
from payments.emails import contribution_receipt_send
from payments.models import Contribution
from reporting.csv_export import safe_cell
from tests.checkout.checkout_support import gift as checkout_gift
from tests.checkout.checkout_support import post
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory
from tests.newsletters.factories import NewsletterFactory, SignupFactory
from tests.payments.conftest import celery_eager
from tests.reporting.book import at, event, gift
from tests.security.payloads import FORMULAS, HOSTILE, MARKUP, RAW_MARKUP, TEXT

pytestmark = pytest.mark.django_db

__all__ = ["celery_eager"]

HEADER_BREAK = "Daily\r\nBcc: evil@example.org\r\nX-Injected: yes"


def csv_rows(response) -> list[dict]:
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body, newline="")))


def as_text(formula: str) -> str:
    """How a formula-safe CSV writes text that a spreadsheet would run: after an apostrophe."""
    return "'" + formula


# CSVs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", [*FORMULAS, "\0=1+1"])  # NUL: PostgreSQL never stores it, still
def test_safe_cell_writes_every_formula_as_text(formula):
    assert safe_cell(formula) == as_text(formula)


@pytest.mark.parametrize("value", [2500, -2500, 0.5, "2500", "Olena", "", None])
def test_safe_cell_leaves_numbers_and_plain_text_alone(value):
    assert safe_cell(value) == ("" if value is None else value)


def finance_staff(client) -> None:
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="finance"))
    client.force_login(user)


@pytest.mark.parametrize("report", ["reporting:ledger-csv", "reporting:events-csv"])
@pytest.mark.parametrize("formula", FORMULAS)
def test_report_csvs_write_a_donor_name_like_a_formula_as_text(client, formula, report):
    contributor = ContributorFactory(name=formula, email="=1+1@example.org")
    gift(amount=2500, on=at("2026-03-05 10:00"), contributor=contributor)
    event(MembershipFactory(contributor=contributor), "started", on=at("2026-03-06 10:00"))
    finance_staff(client)

    [row] = csv_rows(client.get(reverse(report), {"start": "2026-03-01", "end": "2026-03-31"}))

    assert (row["donor_name"], row["donor_email"]) == (as_text(formula), "'=1+1@example.org")


@pytest.mark.parametrize("email", ["=1+1@example.org", "+1@example.org", "-2+3@example.org"])
def test_signups_csv_writes_an_email_typed_like_a_formula_as_text(
    client, celery_eager, django_capture_on_commit_callbacks, email
):
    NewsletterFactory(slug="daily")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/newsletters/signup/", {"email": email, "source": "=1+1"})
    signup_confirm(public_ids=[str(NewsletterSignup.objects.get().public_id)])
    finance_staff(client)

    [row] = csv_rows(client.get("/newsletters/staff/signups.csv"))

    assert row["email"] == as_text(email)
    assert row["source"] == "page"  # the form keeps only the sources it knows


@pytest.mark.parametrize("text", HOSTILE)
def test_data_export_is_a_json_download_with_the_name_as_written(client, text):
    user = UserFactory()
    ContributionFactory(contributor=ContributorFactory(user=user, name=text), status="succeeded")
    client.force_login(user)

    response = client.get(reverse("portal:export"))

    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    assert text in json.dumps(json.loads(response.content), ensure_ascii=False)


# Emails -------------------------------------------------------------------------------------------------


def only_email():
    [message] = mail.outbox
    return message


def html_part(message) -> str | None:
    return next((content for content, kind in message.alternatives if kind == "text/html"), None)


def paid_gift(name: str) -> Contribution:
    return ContributionFactory(
        contributor=ContributorFactory(name=name),
        status="succeeded",
        succeeded_at=datetime.datetime.now(datetime.UTC),
    )


def welcome(name: str) -> None:
    tier = Tier.objects.create(name=name, position=1)
    tier.benefits.set([Benefit.objects.create(code="b", name=name)])
    membership = MembershipFactory(contributor=ContributorFactory(name=name), tier=tier)
    membership_welcome_send(membership_id=membership.pk)


def notice(name: str) -> None:
    membership = MembershipFactory(
        contributor=ContributorFactory(name=name), tier=Tier.objects.create(name=name, position=1)
    )
    notice_email_send(
        notice_id=MembershipNotice.objects.create(
            membership=membership, kind="payment_failed", occasion="in_1"
        ).pk
    )


SENDS = {
    "receipt": lambda name: contribution_receipt_send(contribution_id=paid_gift(name).pk),
    "membership welcome": welcome,
    "payment failed": notice,
}


@pytest.mark.parametrize("send", SENDS)
@pytest.mark.parametrize("text", HOSTILE)
def test_the_text_part_of_an_email_shows_the_name_as_written(text, send):
    SENDS[send](text)

    assert text in only_email().body


@pytest.mark.parametrize("send", SENDS)
@pytest.mark.parametrize("text", MARKUP)
def test_the_html_part_of_an_email_shows_the_name_escaped(text, send):
    SENDS[send](text)

    html = html_part(only_email())
    if html is not None:
        assert escape(text) in html
        assert not any(raw in html for raw in RAW_MARKUP)


def assert_headers_untouched(message, *, to: str) -> None:
    header_lines = message.message().as_string().split("\n\n", 1)[0].splitlines()
    assert message.recipients() == [to]
    assert not {"\n", "\r"} & set(message.subject)
    assert not [line for line in header_lines if line.startswith(("Bcc:", "X-Injected:"))]


@pytest.mark.parametrize("send", SENDS)
def test_a_line_break_in_a_name_cannot_add_an_email_header(send):
    SENDS[send](HEADER_BREAK)

    message = only_email()
    assert_headers_untouched(message, to=message.to[0])


def test_a_line_break_in_a_newsletter_name_stays_in_the_subject(
    celery_eager, django_capture_on_commit_callbacks
):
    signup = SignupFactory(newsletter=NewsletterFactory(name=HEADER_BREAK), email="olena@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        signup_confirm(public_ids=[str(signup.public_id)])

    message = only_email()
    assert_headers_untouched(message, to="olena@example.org")
    assert "Bcc: evil@example.org" in message.subject


def test_a_line_break_in_a_contributors_email_sends_nothing():
    contribution = paid_gift("Olena")
    contribution.contributor.email = "olena@example.org\r\nBcc: evil@example.org"
    contribution.contributor.save()

    contribution_receipt_send(contribution_id=contribution.pk)

    assert mail.outbox == []


# PDFs ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("document", ["portal:receipt_pdf", "portal:statement_pdf"])
@pytest.mark.parametrize("text", HOSTILE)
def test_receipt_and_statement_pdfs_print_hostile_names(client, text, document):
    user = UserFactory()
    paid = ContributionFactory(
        contributor=ContributorFactory(user=user, name=text),
        status="succeeded",
        succeeded_at=datetime.datetime(2026, 3, 14, 12, tzinfo=datetime.UTC),
    )
    client.force_login(user)
    args = [paid.public_id] if document == "portal:receipt_pdf" else [2026, "USD"]

    response = client.get(reverse(document, args=args))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


# The checkout API: what a reader types is stored as written -------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize("text", [*MARKUP, *TEXT, *FORMULAS[:4]])
def test_checkout_api_stores_name_and_dedication_as_written(client, localstripe, text):
    response = post(client, checkout_gift(name=text, dedication=text))

    assert response.status_code == 201, response.content
    contribution = Contribution.objects.select_related("contributor").get(public_id=response.json()["id"])
    assert (contribution.contributor.name, contribution.dedication) == (text, text)
