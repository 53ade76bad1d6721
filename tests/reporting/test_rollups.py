"""The rollups equal the raw aggregates over the base tables, live and rebuilt."""

import io
from datetime import date
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from membership.models import Membership
from payments.models import Frequency, LedgerEntry
from reporting.cohorts import cohort_table
from reporting.models import DailyAttributionRollup, DailyLedgerRollup, DailyMemberMovement, DailyMrrMovement
from reporting.rebuild import ROLLUP_MODELS
from tests.reporting.book import at, dispute, dispute_won, event, gift, member, refund

pytestmark = pytest.mark.django_db


def scripted_mix(settings) -> None:
    """Gifts, refunds, disputes, renewals, changes of amount and cancellations across months."""
    settings.REPORTING_TIME_ZONE = "Europe/Kyiv"
    one = gift(
        amount=2500,
        fee=103,
        campaign="spring",
        source="banner",
        ref="/news/war-diary",
        variant="spring-a",
        on=at("2026-01-31 23:30", "Europe/Kyiv"),
    )
    two = gift(
        amount=300000, currency="JPY", settled=(1995, "USD"), fee=88, on=at("2026-02-01 00:10", "Europe/Kyiv")
    )
    three = gift(amount=5000, currency="EUR", campaign="spring", source="email", on=at("2026-02-14 12:00"))
    refund(one, amount=1000, on=at("2026-03-02 10:00"))
    dispute(two, on=at("2026-02-20 10:00"))
    dispute(three, on=at("2026-02-21 10:00"))
    dispute_won(three, on=at("2026-03-21 10:00"))
    monthly = member(amount=1000)
    annual = member(amount=12000, interval=Membership.Interval.YEAR, currency="EUR")
    event(monthly, "started", on=at("2026-01-03 10:00"))
    event(annual, "started", on=at("2026-01-04 10:00"))
    for month in ("01", "02", "03"):
        gift(
            amount=1000,
            frequency=Frequency.MONTHLY,
            membership=monthly,
            fee=59,
            on=at(f"2026-{month}-03 10:00"),
        )
        event(monthly, "renewed", on=at(f"2026-{month}-03 10:00"))
    gift(
        amount=12000, currency="EUR", frequency=Frequency.ANNUAL, membership=annual, on=at("2026-01-04 10:00")
    )
    event(monthly, "amount_changed", on=at("2026-02-10 10:00"), monthly=1500)
    event(annual, "cancel_requested", on=at("2026-02-11 10:00"))
    event(monthly, "amount_changed", on=at("2026-03-10 10:00"), monthly=1200)
    event(annual, "ended", on=at("2026-03-11 10:00"))
    Membership.objects.filter(pk=annual.pk).update(state=Membership.State.ENDED)
    Membership.objects.filter(pk=monthly.pk).update(amount_minor=1200)


def raw_ledger_sums() -> dict:
    """The hand-written aggregate: the ledger grouped by newsroom day, currency and kind."""
    rows = (
        LedgerEntry.objects.annotate(day=TruncDate("occurred_at", tzinfo=ZoneInfo("Europe/Kyiv")))
        .values_list("day", "currency", "kind")
        .annotate(amount=Sum("amount_minor"), entries=Count("id"))
    )
    return {(day, currency, kind): (amount, entries) for day, currency, kind, amount, entries in rows}


def rollup_ledger_sums() -> dict:
    rows = DailyLedgerRollup.objects.values_list("day", "currency", "kind").annotate(
        amount=Sum("amount_minor"), entries=Sum("entries")
    )
    return {(day, currency, kind): (amount, entries) for day, currency, kind, amount, entries in rows}


def snapshot() -> dict:
    return {
        model.__name__: sorted(
            tuple(value for name, value in row.items() if name != "id") for row in model.objects.values()
        )
        for model in ROLLUP_MODELS
    }


def test_the_ledger_rollup_equals_the_raw_aggregate_over_the_ledger(settings):
    scripted_mix(settings)

    assert rollup_ledger_sums() == raw_ledger_sums()
    assert rollup_ledger_sums()[(date(2026, 1, 31), "USD", "charge")] == (2500, 1)


def raw_attribution_sums(dimension: str) -> dict:
    """Charges grouped by newsroom day, currency and one attribution field of the ledger or the gift."""
    field = "campaign" if dimension == "campaign" else f"contribution__{dimension}"
    rows = (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE)
        .annotate(day=TruncDate("occurred_at", tzinfo=ZoneInfo("Europe/Kyiv")))
        .values_list("day", "currency", field)
        .annotate(amount=Sum("amount_minor"), gifts=Count("id"))
    )
    return {(day, currency, value): (amount, gifts) for day, currency, value, amount, gifts in rows}


def rollup_attribution_sums(dimension: str) -> dict:
    rows = (
        DailyAttributionRollup.objects.filter(dimension=dimension)
        .values_list("day", "currency", "value")
        .annotate(amount=Sum("amount_minor"), gifts=Sum("gifts"))
    )
    return {(day, currency, value): (amount, gifts) for day, currency, value, amount, gifts in rows}


@pytest.mark.parametrize("dimension", ["campaign", "source", "ref", "variant"])
def test_each_dimension_of_the_attribution_rollup_equals_the_raw_aggregate_over_the_charges(
    settings, dimension
):
    scripted_mix(settings)

    assert rollup_attribution_sums(dimension) == raw_attribution_sums(dimension)
    assert rollup_attribution_sums("campaign")[(date(2026, 1, 31), "USD", "spring")] == (2500, 1)


def test_mrr_today_equals_the_monthly_amounts_of_the_memberships_that_count(settings):
    scripted_mix(settings)
    live = Membership.objects.filter(state__in=Membership.LIVE_STATES)

    rolled = DailyMrrMovement.objects.values_list("currency").annotate(total=Sum("amount_minor"))
    members = DailyMemberMovement.objects.aggregate(total=Sum("members"))["total"]

    assert {code: total for code, total in rolled if total} == {
        "USD": sum(m.monthly_amount_minor for m in live)
    }
    assert members == live.values("contributor").distinct().count()


def test_rebuilding_gives_exactly_the_rows_the_live_path_wrote(settings):
    scripted_mix(settings)
    live = snapshot()

    call_command("rebuild_rollups", stdout=io.StringIO())

    assert snapshot() == live


def test_rebuilding_from_empty_rollups_restores_them(settings):
    scripted_mix(settings)
    live = snapshot()
    for model in ROLLUP_MODELS:
        model.objects.all().delete()

    call_command("rebuild_rollups", stdout=io.StringIO())

    assert snapshot() == live


def test_a_write_that_is_rolled_back_leaves_no_trace_in_the_rollups():
    class AbortedError(Exception):
        pass

    def gift_then_fail() -> None:
        with transaction.atomic():
            gift(amount=2500, on=at("2026-03-02 10:00"))
            raise AbortedError

    with pytest.raises(AbortedError):
        gift_then_fail()

    assert not DailyLedgerRollup.objects.exists()


def test_retention_cohorts_follow_members_by_the_month_they_joined():
    stays, leaves, later = member(amount=1000), member(amount=1000), member(amount=1000)
    event(stays, "started", on=at("2026-01-05 10:00"))
    event(leaves, "started", on=at("2026-01-06 10:00"))
    event(leaves, "ended", on=at("2026-02-06 10:00"))
    event(later, "started", on=at("2026-02-07 10:00"))

    january, february, march = cohort_table(last_month=date(2026, 3, 1), months=3, horizon=3)

    assert (january.members, january.retained) == (2, [1, 1, None])
    assert january.shares()[:2] == [0.5, 0.5]
    assert (february.members, february.retained) == (1, [1, None, None])
    assert (march.members, march.retained) == (0, [None, None, None])
