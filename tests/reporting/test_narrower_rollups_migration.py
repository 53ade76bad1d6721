"""Migration 0004 sums the old rollup rows into the narrower keys: no figure changes."""

from datetime import date

import pytest

from tests.migrating import migrate_to, migrate_to_latest

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("reporting", "0003_attribution_rollup")]
AFTER = [("reporting", "0004_narrower_rollups")]
DAY = date(2026, 3, 2)


@pytest.fixture
def old_apps():
    apps = migrate_to(BEFORE)
    yield apps
    migrate_to_latest()


def _old_rows(apps):
    ledger = apps.get_model("reporting", "DailyLedgerRollup")
    for campaign, amount in (("spring", 2500), ("", 1000)):
        ledger.objects.create(
            day=DAY, currency="USD", kind="charge", frequency="one_off", campaign=campaign,
            settlement_currency="", amount_minor=amount, settlement_amount_minor=0, entries=1,
        )  # fmt: skip
    attribution = apps.get_model("reporting", "DailyAttributionRollup")
    for campaign, source, amount in (("spring", "banner", 2500), ("", "banner", 1000)):
        attribution.objects.create(
            day=DAY, currency="USD", settlement_currency="", frequency="one_off", campaign=campaign,
            source=source, ref="", gifts=1, amount_minor=amount, settlement_amount_minor=0,
        )  # fmt: skip


def test_ledger_rows_of_two_campaigns_become_one_row_with_their_sums(old_apps):
    _old_rows(old_apps)

    apps = migrate_to(AFTER)

    rows = list(apps.get_model("reporting", "DailyLedgerRollup").objects.values("amount_minor", "entries"))
    assert rows == [{"amount_minor": 3500, "entries": 2}]


def test_attribution_rows_become_one_row_per_dimension_and_value(old_apps):
    _old_rows(old_apps)

    apps = migrate_to(AFTER)

    rows = apps.get_model("reporting", "DailyAttributionRollup").objects.values_list(
        "dimension", "value", "gifts", "amount_minor"
    )
    assert sorted(rows) == [
        ("campaign", "", 1, 1000),
        ("campaign", "spring", 1, 2500),
        ("ref", "", 2, 3500),
        ("source", "banner", 2, 3500),
    ]
