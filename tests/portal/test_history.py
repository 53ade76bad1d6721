"""Giving history, receipts and annual statements: the reader's own only, as pages and as PDFs."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from payments.models import Contribution, Frequency
from tests.factories import ContributionFactory, ContributorFactory, UserFactory

pytestmark = [pytest.mark.django_db]

Status = Contribution.Status


def paid(contributor, *, amount=2500, currency="USD", on=datetime(2026, 3, 14, 12, tzinfo=UTC), **fields):
    return ContributionFactory(
        contributor=contributor,
        amount_minor=amount,
        currency=currency,
        status=fields.pop("status", Status.SUCCEEDED),
        succeeded_at=on,
        **fields,
    )


@pytest.fixture
def reader(client):
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def mine(reader):
    return ContributorFactory(user=reader, name="Olena Petrenko")


def test_history_lists_each_paid_and_failed_contribution_with_its_campaign(client, mine):
    gift = paid(mine, amount=2500, campaign="spring-appeal")
    failed = paid(mine, amount=900, status=Status.FAILED)
    abandoned = ContributionFactory(contributor=mine, status=Status.PENDING)

    page = client.get(reverse("portal:history")).content.decode()

    assert f'data-contribution="{gift.public_id}"' in page
    assert "spring-appeal" in page
    assert f'data-contribution="{failed.public_id}"' in page
    assert f'data-contribution="{abandoned.public_id}"' not in page


def test_history_shows_no_one_elses_contributions(client, mine):
    stranger = paid(ContributorFactory(user=UserFactory()), amount=9876)
    guest = paid(ContributorFactory(), amount=5432)

    page = client.get(reverse("portal:history")).content.decode()

    assert str(stranger.public_id) not in page
    assert str(guest.public_id) not in page


def test_receipt_page_shows_amount_fee_and_reference(client, mine):
    gift = paid(mine, amount=2560, fee_covered_minor=60, card_brand="visa", card_last4="4242")

    page = client.get(reverse("portal:receipt", args=[gift.public_id])).content.decode()

    assert str(gift.public_id) in page
    assert "$25.60" in page
    assert "$0.60" in page
    assert "Visa •••• 4242" in page


@pytest.mark.parametrize("name", ["portal:receipt", "portal:receipt_pdf"])
def test_another_readers_receipt_is_not_found(client, reader, name):
    stranger = paid(ContributorFactory(user=UserFactory()))

    response = client.get(reverse(name, args=[stranger.public_id]))

    assert response.status_code == 404


def test_an_unpaid_contribution_has_no_receipt(client, mine):
    pending = ContributionFactory(contributor=mine, status=Status.PENDING)

    assert client.get(reverse("portal:receipt", args=[pending.public_id])).status_code == 404


def test_history_needs_a_signed_in_reader(client):
    response = client.get(reverse("portal:history"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_receipt_pdf_is_a_pdf_file_to_download(client, mine):
    gift = paid(mine)

    response = client.get(reverse("portal:receipt_pdf", args=[gift.public_id]))

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response.content.startswith(b"%PDF-")


def test_receipt_pdf_prints_hryvnias_and_cyrillic_names(client, reader):
    contributor = ContributorFactory(user=reader, name="Олена Петренко")
    gift = paid(contributor, amount=50000, currency="UAH")

    response = client.get(reverse("portal:receipt_pdf", args=[gift.public_id]), HTTP_ACCEPT_LANGUAGE="uk")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF-")
    assert b"DejaVu" in response.content  # the embedded font that has Cyrillic and the hryvnia sign


def test_statement_sums_one_year_and_one_currency_less_refunds(client, mine):
    paid(mine, amount=1000, on=datetime(2026, 1, 5, 12, tzinfo=UTC), frequency=Frequency.MONTHLY)
    paid(mine, amount=1000, on=datetime(2026, 2, 5, 12, tzinfo=UTC), frequency=Frequency.MONTHLY)
    paid(
        mine,
        amount=3000,
        on=datetime(2026, 6, 1, 12, tzinfo=UTC),
        amount_refunded_minor=500,
        status=Status.PARTIALLY_REFUNDED,
    )
    paid(mine, amount=7000, on=datetime(2025, 12, 31, 12, tzinfo=UTC))  # another year
    paid(mine, amount=4000, currency="EUR", on=datetime(2026, 4, 1, 12, tzinfo=UTC))  # another currency
    paid(mine, amount=800, status=Status.FAILED, on=datetime(2026, 3, 1, 12, tzinfo=UTC))

    response = client.get(reverse("portal:statement", args=[2026, "USD"]))

    assert response.context["statement"].total_net_minor == 1000 + 1000 + 2500
    assert response.context["statement"].count == 3
    assert "$45.00" in response.content.decode()


def test_statement_for_a_year_without_gifts_is_not_found(client, mine):
    paid(mine, on=datetime(2026, 3, 1, 12, tzinfo=UTC))

    assert client.get(reverse("portal:statement", args=[2019, "USD"])).status_code == 404


def test_statement_pdf_is_a_pdf_file_to_download(client, mine):
    paid(mine, on=datetime(2026, 3, 1, 12, tzinfo=UTC))

    response = client.get(reverse("portal:statement_pdf", args=[2026, "USD"]))

    assert response["Content-Type"] == "application/pdf"
    assert 'filename="statement-2026-USD.pdf"' in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF-")


def test_history_links_one_statement_per_year_and_currency(client, mine):
    paid(mine, on=datetime(2026, 3, 1, 12, tzinfo=UTC))
    paid(mine, on=datetime(2025, 3, 1, 12, tzinfo=UTC))
    paid(mine, currency="EUR", on=datetime(2026, 5, 1, 12, tzinfo=UTC))

    statements = client.get(reverse("portal:history")).context["statements"]

    assert [(link.year, link.currency) for link in statements] == [
        (2026, "EUR"),
        (2026, "USD"),
        (2025, "USD"),
    ]
