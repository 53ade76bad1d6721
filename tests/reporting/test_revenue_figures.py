"""Revenue figures on small scenarios written out here, checked by hand to the minor unit."""

from datetime import date
from decimal import Decimal

import pytest

from membership.models import Membership
from payments.models import Frequency
from reporting.conversion import Converter
from reporting.models import ExchangeRate
from reporting.periods import Period
from reporting.revenue import revenue_by_month, revenue_report
from tests.reporting.book import at, dispute, dispute_won, gift, member, refund

pytestmark = pytest.mark.django_db

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))
APRIL = Period(date(2026, 4, 1), date(2026, 4, 30))


def report(period: Period, currency: str = "USD"):
    return revenue_report(period=period, converter=Converter(until=period.end, target=currency))


def test_gross_fees_net_average_and_median_of_one_off_gifts():
    gift(amount=2500, fee=103, on=at("2026-03-02 10:00"))
    gift(amount=1000, fee=59, on=at("2026-03-09 10:00"))
    gift(amount=10000, fee=320, on=at("2026-03-20 10:00"))

    total = report(MARCH).total

    assert total.gross_minor == 13500
    assert total.fees_minor == 482
    assert total.net_minor == 13500 - 482
    assert total.one_off_gifts == 3
    assert total.average_one_off_minor == 4500
    assert total.median_one_off_minor == 2500


def test_the_median_of_an_even_number_of_gifts_is_the_lower_middle_one():
    for amount in (500, 1000, 3000, 5000):
        gift(amount=amount, on=at("2026-03-10 10:00"))

    assert report(MARCH).total.median_one_off_minor == 1000


def test_a_refund_counts_in_the_month_it_happened_not_the_month_of_the_gift():
    contribution = gift(amount=5000, on=at("2026-03-15 10:00"))
    refund(contribution, amount=2000, on=at("2026-04-03 09:00"))

    march, april = report(MARCH).total, report(APRIL).total

    assert (march.gross_minor, march.refunds_minor, march.net_minor) == (5000, 0, 5000)
    assert (april.gross_minor, april.refunds_minor, april.net_minor) == (0, 2000, -2000)


def test_a_lost_dispute_is_money_out_and_a_won_one_comes_back():
    lost = gift(amount=3000, on=at("2026-03-01 10:00"))
    won = gift(amount=2000, on=at("2026-03-02 10:00"))
    dispute(lost, on=at("2026-03-10 10:00"))
    dispute(won, on=at("2026-03-11 10:00"))
    dispute_won(won, on=at("2026-03-25 10:00"))

    total = report(MARCH).total

    assert total.disputes_minor == 3000
    assert total.net_minor == 5000 - 3000


def test_one_off_gifts_and_membership_payments_are_told_apart():
    monthly = member(amount=1000)
    annual = member(amount=12000, interval=Membership.Interval.YEAR)
    gift(amount=1000, frequency=Frequency.MONTHLY, membership=monthly, on=at("2026-03-03 10:00"))
    gift(amount=12000, frequency=Frequency.ANNUAL, membership=annual, on=at("2026-03-04 10:00"))
    gift(amount=2500, on=at("2026-03-05 10:00"))

    total = report(MARCH).total

    assert (total.one_off_minor, total.one_off_gifts) == (2500, 1)
    assert (total.recurring_minor, total.recurring_payments) == (13000, 2)
    assert total.gifts == 3
    assert total.average_one_off_minor == 2500


def test_a_zero_decimal_currency_uses_the_dollars_stripe_settled():
    gift(amount=3000, currency="JPY", settled=(1995, "USD"), fee=88, on=at("2026-03-05 10:00"))

    result = report(MARCH)

    yen = next(revenue for revenue in result.by_currency if revenue.currency == "JPY")
    assert yen.gross_minor == 3000
    assert result.total.gross_minor == 1995
    assert result.total.fees_minor == 88
    assert result.total.net_minor == 1995 - 88


def test_without_a_settlement_amount_the_rate_of_the_day_or_the_day_before_converts():
    ExchangeRate.objects.create(
        day=date(2026, 3, 1), currency="JPY", quote_currency="USD", rate=Decimal("0.0066")
    )
    ExchangeRate.objects.create(
        day=date(2026, 3, 20), currency="EUR", quote_currency="USD", rate=Decimal("1.0825")
    )
    gift(amount=3000, currency="JPY", on=at("2026-03-05 10:00"))  # 3000 yen * 0.0066 = 19.80 dollars
    gift(amount=2500, currency="EUR", on=at("2026-03-21 10:00"))  # 25.00 euros * 1.0825 = 27.0625 -> 27.06

    total = report(MARCH).total

    assert total.gross_minor == 1980 + 2706


def test_a_currency_without_any_rate_is_named_and_left_out_of_the_total():
    gift(amount=2500, currency="EUR", on=at("2026-03-21 10:00"))
    gift(amount=1000, on=at("2026-03-21 11:00"))

    result = report(MARCH)

    assert result.total.gross_minor == 1000
    assert result.unconverted_currencies == ["EUR"]
    assert [r.currency for r in result.by_currency] == ["EUR", "USD"]


def test_hryvnias_are_the_total_when_they_are_the_reporting_currency():
    gift(amount=100000, currency="UAH", on=at("2026-03-05 10:00"))
    gift(amount=1000, currency="USD", settled=(41250, "UAH"), on=at("2026-03-06 10:00"))

    assert report(MARCH, currency="UAH").total.gross_minor == 141250


def test_a_gift_at_half_past_eleven_on_the_last_evening_of_a_month_counts_in_that_month(settings):
    settings.REPORTING_TIME_ZONE = "Europe/Kyiv"
    gift(amount=2500, on=at("2026-03-31 23:30", "Europe/Kyiv"))  # 20:30 UTC
    gift(amount=4000, on=at("2026-04-01 00:30", "Europe/Kyiv"))  # 21:30 UTC on 31 March

    assert report(MARCH).total.gross_minor == 2500
    assert report(APRIL).total.gross_minor == 4000


def test_revenue_by_month_splits_one_off_and_recurring_per_month():
    monthly = member(amount=1000)
    gift(amount=2500, on=at("2026-03-05 10:00"))
    gift(amount=1000, frequency=Frequency.MONTHLY, membership=monthly, on=at("2026-03-06 10:00"))
    gift(amount=1000, frequency=Frequency.MONTHLY, membership=monthly, on=at("2026-04-06 10:00"))

    months = revenue_by_month(
        start=date(2026, 3, 1), end=date(2026, 4, 30), converter=Converter(until=APRIL.end)
    )

    assert [(m, r.one_off_minor, r.recurring_minor) for m, r in months.items()] == [
        (date(2026, 3, 1), 2500, 1000),
        (date(2026, 4, 1), 0, 1000),
    ]
