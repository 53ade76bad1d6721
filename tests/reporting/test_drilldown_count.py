"""The drill-down's count, read from the daily rollup, is the number of ledger entries it pages through."""

from datetime import date

import pytest

from payments.models import LedgerEntry
from reporting.drilldown import ledger_rows
from reporting.periods import Period, day_bounds
from tests.reporting.test_rollups import scripted_mix

pytestmark = pytest.mark.django_db

FEBRUARY_AND_MARCH = Period(date(2026, 2, 1), date(2026, 3, 31))


def _entries_matching(filters: dict) -> int:
    since, before = day_bounds(FEBRUARY_AND_MARCH.start, FEBRUARY_AND_MARCH.end)
    entries = LedgerEntry.objects.filter(occurred_at__gte=since, occurred_at__lt=before)
    lookups = {"kind": "kind", "currency": "currency", "frequency": "contribution__frequency"}
    return entries.filter(**{lookups[name]: value for name, value in filters.items()}).count()


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"kind": "charge"},
        {"currency": "EUR"},
        {"frequency": "monthly"},
        {"kind": "fee", "currency": "USD"},
    ],
)
def test_the_count_equals_the_entries_in_the_newsroom_days_of_the_range(settings, filters):
    scripted_mix(settings)

    page = ledger_rows(period=FEBRUARY_AND_MARCH, filters=filters, page=1, personal=False)

    assert page.count == _entries_matching(filters) > 0


def test_a_campaign_is_counted_from_the_entries_themselves(settings):
    scripted_mix(settings)

    page = ledger_rows(
        period=Period(date(2026, 1, 1), date(2026, 3, 31)),
        filters={"campaign": "spring"},
        page=1,
        personal=False,
    )

    assert page.count == len(page.rows) == LedgerEntry.objects.filter(campaign="spring").count() == 6
