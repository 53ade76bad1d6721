"""The reader's pages and emails in English and in Ukrainian: the language (the switcher's choice, then
the browser's) and the formats of amounts and dates as each language writes them (Babel)."""

import pytest
from django.core import mail
from django.urls import reverse

from membership.models import Membership
from payments.emails import contribution_receipt_send
from payments.models import Contribution
from payments.money import format_money
from tests.checkout.checkout_support import gift, post
from tests.checkout.test_support_page import own_contribution
from tests.factories import ContributionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db
NBSP = "\xa0"


def in_ukrainian(client):
    client.cookies["django_language"] = "uk"
    return client


def test_the_switcher_remembers_the_readers_choice_for_a_year(client):
    response = client.post("/i18n/setlang/", {"language": "uk", "next": "/support/"})

    assert response.status_code == 302
    assert response["Location"] == "/support/"
    assert response.cookies["django_language"].value == "uk"
    assert response.cookies["django_language"]["max-age"] == 365 * 24 * 3600
    page = client.get("/support/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="uk">' in page


def test_without_a_choice_the_browsers_language_decides(client):
    page = client.get("/support/", HTTP_ACCEPT_LANGUAGE="uk,en;q=0.5").content.decode()

    assert '<html lang="uk">' in page


def test_the_support_page_in_english_offers_dollars(client):
    page = client.get("/support/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert '<html lang="en">' in page
    assert "Support independent journalism" in page
    assert "$25.00" in page


def test_the_support_page_in_ukrainian_offers_hryvnias_written_the_ukrainian_way(client):
    page = in_ukrainian(client).get("/support/", HTTP_ACCEPT_LANGUAGE="en-US").content.decode()

    assert "Підтримайте незалежну журналістику" in page
    assert "Підтримати один раз" in page
    assert f"500,00{NBSP}₴" in page  # UAH for Ukrainian readers (CHECKOUT_CURRENCY_BY_LANGUAGE)
    assert f"500,00{NBSP}₴" == format_money(50000, "UAH", "uk")


@pytest.mark.parametrize(
    ("currency", "amount", "english", "ukrainian"),
    [
        ("UAH", 100000, "UAH1,000.00", f"1{NBSP}000,00{NBSP}₴"),
        ("EUR", 2500, "€25.00", f"25,00{NBSP}EUR"),  # CLDR's Ukrainian writes the euro's code
        ("JPY", 3000, "¥3,000", f"3{NBSP}000{NBSP}¥"),
    ],
)
def test_amounts_are_written_as_each_language_writes_them(currency, amount, english, ukrainian):
    """As CLDR (through Babel) says each language writes them, zero-decimal currencies included."""
    assert format_money(amount, currency, "en") == english
    assert format_money(amount, currency, "uk") == ukrainian


def test_the_thank_you_page_in_ukrainian(client):
    contribution = own_contribution(
        in_ukrainian(client), status="succeeded", amount_minor=50000, currency="UAH"
    )

    page = client.get(f"/support/thank-you/{contribution.public_id}/").content.decode()

    assert '<html lang="uk">' in page
    assert "Дякуємо!" in page
    assert f"500,00{NBSP}₴" in page


def test_the_portal_in_ukrainian(client):
    reader = UserFactory()
    MembershipFactory(
        state=Membership.State.ACTIVE, contributor__user=reader, amount_minor=123400, currency="UAH"
    )
    client.force_login(reader)

    page = in_ukrainian(client).get(reverse("portal:overview")).content.decode()

    assert "Ваші членства" in page
    assert f"1{NBSP}234,00{NBSP}₴" in page


def test_the_portal_in_english(client):
    reader = UserFactory()
    MembershipFactory(
        state=Membership.State.ACTIVE, contributor__user=reader, amount_minor=1234, currency="EUR"
    )
    client.force_login(reader)

    page = client.get(reverse("portal:overview"), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Your memberships" in page
    assert "€12.34" in page


def test_a_receipt_is_written_in_the_language_the_reader_gave_in():
    contribution = ContributionFactory(
        status="succeeded",
        amount_minor=50000,
        currency="UAH",
        contributor__language="uk",
        succeeded_at="2026-12-07T10:00Z",
    )

    contribution_receipt_send(contribution_id=contribution.pk)

    [receipt] = mail.outbox
    assert receipt.subject.startswith("Ваша квитанція від")
    assert f"500,00{NBSP}₴" in receipt.subject
    assert "7 грудня 2026" in receipt.body


def test_an_english_readers_receipt_stays_in_english():
    contribution = ContributionFactory(
        status="succeeded",
        amount_minor=2500,
        currency="EUR",
        contributor__language="en",
        succeeded_at="2026-12-07T10:00Z",
    )

    contribution_receipt_send(contribution_id=contribution.pk)

    [receipt] = mail.outbox
    assert receipt.subject.startswith("Your receipt from")
    assert "€25.00" in receipt.subject
    assert "December 7, 2026" in receipt.body


def test_checkout_records_the_language_the_reader_gave_in(
    client, localstripe, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(in_ukrainian(client), gift(amount=50000, currency="UAH"))

    contribution = Contribution.objects.get()
    assert contribution.contributor.language == "uk"
