"""Attribution (campaign, source, article) and the reader share of revenue, checked by hand."""

from datetime import date

import pytest
import time_machine
from django.contrib.auth.models import Group

from reporting.attribution import attribution_report
from reporting.conversion import Converter
from reporting.models import OtherRevenue
from reporting.periods import Period
from reporting.reader_share import reader_share
from tests.factories import UserFactory
from tests.reporting.book import at, dispute, event, gift, member, refund

pytestmark = pytest.mark.django_db

MARCH = Period(date(2026, 3, 1), date(2026, 3, 31))


def by(name: str, period: Period = MARCH) -> dict:
    rows = attribution_report(period=period, by=name, converter=Converter(until=period.end))
    return {row.value: row for row in rows}


def test_payments_and_revenue_are_counted_per_campaign():
    gift(amount=2500, campaign="year-end", on=at("2026-03-02 10:00"))
    gift(amount=1000, campaign="year-end", on=at("2026-03-03 10:00"))
    gift(amount=3000, currency="EUR", settled=(3240, "USD"), campaign="spring", on=at("2026-03-04 10:00"))
    gift(amount=500, on=at("2026-03-05 10:00"))

    rows = by("campaign")

    assert (rows["year-end"].gifts, rows["year-end"].revenue_minor) == (2, 3500)
    assert rows["spring"].revenue_minor == 3240
    assert rows[""].revenue_minor == 500


def test_payments_are_counted_per_source_and_referring_article():
    article = "https://news.example/2026/energy-winter"
    gift(amount=2500, source="banner", ref=article, on=at("2026-03-02 10:00"))
    gift(amount=1000, source="banner", on=at("2026-03-03 10:00"))
    gift(amount=4000, source="newsletter", ref=article, on=at("2026-03-04 10:00"))

    sources, articles = by("source"), by("ref")

    assert (sources["banner"].gifts, sources["banner"].revenue_minor) == (2, 3500)
    assert sources["newsletter"].revenue_minor == 4000
    assert (articles[article].gifts, articles[article].revenue_minor) == (2, 6500)


def test_payments_and_new_members_are_counted_per_banner_variant():
    gift(amount=2500, campaign="spring", variant="spring-a", on=at("2026-03-05 10:00"))
    gift(amount=1000, campaign="spring", variant="spring-b", on=at("2026-03-06 10:00"))
    gift(amount=4000, campaign="spring", variant="spring-b", on=at("2026-03-07 10:00"))
    monthly = member(amount=1000, campaign="spring", variant="spring-b")
    event(monthly, "started", on=at("2026-03-08 10:00"))

    variants = by("variant")

    assert (variants["spring-a"].gifts, variants["spring-a"].revenue_minor) == (1, 2500)
    assert (variants["spring-b"].gifts, variants["spring-b"].revenue_minor) == (2, 5000)
    assert (variants["spring-a"].new_members, variants["spring-b"].new_members) == (0, 1)


@time_machine.travel("2026-08-01 12:00Z", tick=False)
def test_new_members_and_their_three_month_retention_per_campaign():
    stays, leaves, too_new = (member(amount=1000, campaign="spring") for _ in range(3))
    event(stays, "started", on=at("2026-03-02 10:00"))
    event(leaves, "started", on=at("2026-03-03 10:00"))
    event(leaves, "ended", on=at("2026-04-12 10:00"))
    event(too_new, "started", on=at("2026-07-20 10:00"))

    march = by("campaign")["spring"]
    whole = by("campaign", Period(date(2026, 3, 1), date(2026, 7, 31)))["spring"]

    assert (march.new_members, march.retention_known, march.retained) == (2, 2, 1)
    assert march.retention_share == 0.5
    assert (whole.new_members, whole.retention_known) == (3, 2)


@time_machine.travel("2026-08-01 12:00Z", tick=False)
def test_an_end_after_90_days_keeps_the_member_retained_and_a_second_end_is_not_counted_again():
    late, twice = (member(amount=1000, campaign="autumn") for _ in range(2))
    event(late, "started", on=at("2026-03-02 10:00"))
    event(late, "ended", on=at("2026-06-01 10:00"))
    event(twice, "started", on=at("2026-03-02 10:00"))
    event(twice, "ended", on=at("2026-03-20 10:00"))
    event(twice, "reactivated", on=at("2026-03-25 10:00"))
    event(twice, "ended", on=at("2026-04-20 10:00"))

    march = by("campaign")["autumn"]

    assert (march.new_members, march.retention_known, march.retained) == (2, 2, 1)


def test_reader_share_is_reader_revenue_over_all_revenue_per_month_and_year():
    gift(amount=80000, on=at("2026-03-05 10:00"))
    refund(gift(amount=10000, on=at("2026-03-06 10:00")), amount=10000, on=at("2026-03-07 10:00"))
    dispute(gift(amount=5000, on=at("2026-04-06 10:00")), on=at("2026-04-08 10:00"))
    gift(amount=40000, on=at("2026-04-09 10:00"))
    OtherRevenue.objects.create(month=date(2026, 3, 1), category="grants", amount_minor=15000, currency="USD")
    OtherRevenue.objects.create(
        month=date(2026, 3, 1), category="advertising", amount_minor=5000, currency="USD"
    )

    months, years = reader_share(
        last_month=date(2026, 4, 1), months=2, converter=Converter(until=date(2026, 4, 30))
    )

    assert [(m.label, m.reader_minor, m.other_minor, m.share) for m in months] == [
        ("2026-03", 80000, 20000, 0.8),
        ("2026-04", 40000, 0, 1.0),
    ]
    assert (years[0].label, years[0].reader_minor, years[0].other_minor) == ("2026", 120000, 20000)
    assert dict(months[0].other_by_category) == {"grants": 15000, "advertising": 5000}


def test_the_api_answers_attribution_and_reader_share(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name="reporting"))
    client.force_login(user)
    gift(amount=2500, campaign="year-end", on=at("2026-03-02 10:00"))

    attribution = client.get("/api/v1/reports/attribution?start=2026-03-01&end=2026-03-31&by=campaign")
    refused = client.get("/api/v1/reports/attribution?start=2026-03-01&end=2026-03-31&by=weather")
    share = client.get("/api/v1/reports/reader-share?months=3")

    assert (attribution.json()["rows"][0]["value"], attribution.json()["rows"][0]["revenue_minor"]) == (
        "year-end",
        2500,
    )
    assert (refused.status_code, refused.json()["error"]["field"]) == (400, "by")
    assert len(share.json()["months"]) == 3
