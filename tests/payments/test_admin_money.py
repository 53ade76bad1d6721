"""Staff see money as money in the admin: "$25.00" or "¥500" in every list and detail, never "2500"."""

import re
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from checkout.models import AmountPreset
from payments.models import LedgerEntry, Payout, PayoutLine, RefundRequest
from tests.factories import ContributionFactory

pytestmark = pytest.mark.django_db


def page_of(admin_client, name: str, *args) -> str:
    response = admin_client.get(reverse(f"admin:{name}", args=args))
    assert response.status_code == 200
    return response.content.decode()


def cells(page: str, column: str) -> list[str]:
    """The text of a changelist column's cells (Django names them field-<column>)."""
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(rf'class="field-{column}"[^>]*>(.*?)</t[dh]>', page, re.S)
    ]


def detail(page: str, field: str) -> str:
    """The text a read-only detail page shows for a field (Django's div.readonly in div.field-<field>)."""
    match = re.search(rf'field-{field}\b.*?<div class="readonly">(.*?)</div>', page, re.S)
    assert match, f"the detail page shows {field}"
    return match.group(1).strip()


def entry(**fields) -> LedgerEntry:
    defaults = {
        "kind": "charge",
        "stripe_object_id": "ch_admin",
        "amount_minor": 2500,
        "currency": "USD",
        "occurred_at": datetime(2026, 11, 30, tzinfo=UTC),
    }
    return LedgerEntry.objects.create(**{**defaults, **fields})


def test_contributions_list_their_amount_in_their_currency(admin_client):
    ContributionFactory(amount_minor=2500, currency="USD")
    ContributionFactory(amount_minor=500, currency="JPY")

    page = page_of(admin_client, "payments_contribution_changelist")

    assert sorted(cells(page, "amount")) == ["$25.00", "¥500"]


def test_a_contributions_detail_shows_its_amount_fee_and_refund_as_money(admin_client):
    contribution = ContributionFactory(
        amount_minor=2608, fee_covered_minor=108, amount_refunded_minor=1000, currency="EUR"
    )

    page = page_of(admin_client, "payments_contribution_change", contribution.pk)

    assert (detail(page, "amount"), detail(page, "fee_covered"), detail(page, "refunded")) == (
        "€26.08",
        "€1.08",
        "€10.00",
    )
    assert "field-amount_minor" not in page


def test_ledger_entries_list_and_show_their_amount_as_money(admin_client):
    refund = entry(
        kind="refund",
        stripe_object_id="re_admin",
        amount_minor=-1250,
        currency="EUR",
        settlement_amount_minor=-1340,
        settlement_currency="USD",
    )

    listed = page_of(admin_client, "payments_ledgerentry_changelist")
    shown = page_of(admin_client, "payments_ledgerentry_change", refund.pk)

    assert cells(listed, "amount") == ["-€12.50"]
    assert (detail(shown, "amount"), detail(shown, "settlement")) == ("-€12.50", "-$13.40")


def test_refund_requests_list_and_show_their_amount_as_money(admin_client):
    contribution = ContributionFactory(amount_minor=5000, currency="UAH")
    request = RefundRequest.objects.create(contribution=contribution, amount_minor=20000, currency="UAH")

    listed = page_of(admin_client, "payments_refundrequest_changelist")
    shown = page_of(admin_client, "payments_refundrequest_change", request.pk)
    inline = page_of(admin_client, "payments_contribution_change", contribution.pk)

    assert cells(listed, "amount") == ["UAH200.00"]
    assert detail(shown, "amount") == "UAH200.00"
    assert cells(inline, "amount") == ["UAH200.00"]


def test_payouts_and_their_lines_show_amounts_and_fees_as_money(admin_client):
    payout = Payout.objects.create(
        stripe_payout_id="po_admin", amount_minor=123456, currency="USD", status="paid"
    )
    PayoutLine.objects.create(
        payout=payout, stripe_balance_transaction_id="txn_1", amount_minor=2500, fee_minor=103, currency="USD"
    )

    listed = page_of(admin_client, "payments_payout_changelist")
    shown = page_of(admin_client, "payments_payout_change", payout.pk)

    assert cells(listed, "amount") == ["$1,234.56"]
    assert detail(shown, "amount") == "$1,234.56"
    assert (cells(shown, "amount"), cells(shown, "fee")) == (["$25.00"], ["$1.03"])


def test_amount_presets_list_their_amount_and_show_it_beside_the_field(admin_client):
    preset = AmountPreset.objects.create(currency="JPY", frequency="one_off", amount_minor=3000, position=0)

    listed = page_of(admin_client, "checkout_amountpreset_changelist")
    shown = page_of(admin_client, "checkout_amountpreset_change", preset.pk)

    assert cells(listed, "amount") == ["¥3,000"]
    assert detail(shown, "amount") == "¥3,000"
