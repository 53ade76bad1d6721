"""MRR, its movements, members, churn and saves on scenarios written out here, checked by hand."""

from datetime import date

import pytest
from django.utils import timezone

from membership.models import Membership, SaveOffer
from reporting.conversion import Converter
from reporting.mrr import mrr_series
from reporting.summary import standing_at
from tests.reporting.book import at, event, member

pytestmark = pytest.mark.django_db


def series(last: date, months: int, currency: str = "USD"):
    return mrr_series(last_month=last, months=months, converter=Converter(until=last, target=currency))


def by_month(result) -> dict[str, dict]:
    return {m.month.strftime("%Y-%m"): m.as_dict() for m in result.months}


def test_each_month_starts_where_the_last_ended_and_start_plus_movements_is_its_end():
    a, b, c = member(amount=1000), member(amount=12000, interval=Membership.Interval.YEAR), member(amount=500)
    event(a, "started", on=at("2026-01-05 10:00"))
    event(b, "started", on=at("2026-01-06 10:00"))  # annual: 12000 / 12 = 1000 a month
    event(c, "started", on=at("2026-01-07 10:00"))
    event(a, "amount_changed", on=at("2026-02-01 10:00"), monthly=1500)
    event(c, "amount_changed", on=at("2026-02-02 10:00"), monthly=300)
    event(b, "cancel_requested", on=at("2026-03-01 10:00"))
    event(c, "ended", on=at("2026-03-15 10:00"), monthly=300)
    event(b, "ended", on=at("2026-04-06 10:00"))

    months = by_month(series(date(2026, 4, 1), 4))

    assert (
        months["2026-01"]["mrr_start_minor"],
        months["2026-01"]["new_minor"],
        months["2026-01"]["mrr_end_minor"],
    ) == (
        0,
        2500,
        2500,
    )
    feb = months["2026-02"]
    assert (
        feb["mrr_start_minor"],
        feb["expansion_minor"],
        feb["contraction_minor"],
        feb["mrr_end_minor"],
    ) == (
        2500,
        500,
        -200,
        2800,
    )
    march = months["2026-03"]
    assert (march["churned_minor"], march["mrr_end_minor"]) == (-300, 2500)  # canceling still counts
    april = months["2026-04"]
    assert (april["churned_minor"], april["mrr_end_minor"]) == (-1000, 1500)
    for month in months.values():
        moved = sum(
            month[f"{name}_minor"] for name in ("new", "expansion", "contraction", "churned", "reactivated")
        )
        assert month["mrr_start_minor"] + moved + month["conversion_rounding_minor"] == month["mrr_end_minor"]
    assert [m["mrr_start_minor"] for m in list(months.values())[1:]] == [
        m["mrr_end_minor"] for m in list(months.values())[:-1]
    ]


def test_a_change_of_amount_or_frequency_is_never_churn():
    membership = member(amount=1000)
    event(membership, "started", on=at("2026-01-05 10:00"))
    event(membership, "amount_changed", on=at("2026-02-05 10:00"), monthly=400)
    event(membership, "interval_changed", on=at("2026-03-05 10:00"), monthly=833)  # 10000 a year

    months = by_month(series(date(2026, 3, 1), 3))

    assert all(m["churned_minor"] == 0 and m["members_churned"] == 0 for m in months.values())
    assert months["2026-02"]["contraction_minor"] == -600
    assert months["2026-03"]["expansion_minor"] == 433
    assert months["2026-03"]["mrr_end_minor"] == 833


def test_a_lapsed_member_who_comes_back_is_reactivated_not_new():
    first = member(amount=1000)
    event(first, "started", on=at("2026-01-05 10:00"))
    event(first, "ended", on=at("2026-02-05 10:00"))
    again = member(amount=700, contributor=first.contributor)
    event(again, "reactivated", on=at("2026-03-05 10:00"))

    months = by_month(series(date(2026, 3, 1), 3))

    assert (months["2026-03"]["new_minor"], months["2026-03"]["reactivated_minor"]) == (0, 700)
    assert (months["2026-03"]["members_new"], months["2026-03"]["members_reactivated"]) == (0, 1)
    assert months["2026-01"]["members_new"] == 1


def test_a_member_with_two_memberships_is_one_member_until_both_end():
    euros = member(amount=1000, currency="EUR")
    dollars = member(amount=1500, contributor=euros.contributor)
    event(euros, "started", on=at("2026-01-05 10:00"))
    event(dollars, "started", on=at("2026-01-06 10:00"))
    event(euros, "ended", on=at("2026-02-05 10:00"))

    months = by_month(series(date(2026, 3, 1), 3))

    assert months["2026-01"]["members_end"] == 1
    assert months["2026-02"]["members_churned"] == 0
    assert months["2026-02"]["members_end"] == 1
    assert {row["currency"]: row["churned_minor"] for row in months["2026-02"]["by_currency"]} == {
        "EUR": -1000,
        "USD": 0,
    }


def test_a_pause_is_contraction_and_its_end_expansion_never_churn():
    membership = member(amount=1000)
    event(membership, "started", on=at("2026-01-05 10:00"))
    event(membership, "paused", on=at("2026-02-05 10:00"))
    event(membership, "cancel_requested", on=at("2026-02-06 10:00"))  # while paused: still counts nothing
    event(membership, "resumed", on=at("2026-03-05 10:00"))

    months = by_month(series(date(2026, 3, 1), 3))

    assert (months["2026-02"]["contraction_minor"], months["2026-02"]["mrr_end_minor"]) == (-1000, 0)
    assert (months["2026-02"]["members_paused"], months["2026-02"]["members_churned"]) == (-1, 0)
    assert (months["2026-03"]["expansion_minor"], months["2026-03"]["mrr_end_minor"]) == (1000, 1000)
    assert months["2026-03"]["members_resumed"] == 1


def test_a_past_due_membership_counts_until_its_grace_ends():
    membership = member(amount=1000)
    event(membership, "started", on=at("2026-01-05 10:00"))
    event(membership, "payment_failed", on=at("2026-02-05 10:00"))
    event(membership, "ended", on=at("2026-02-19 10:00"))

    standing_before = standing_at(day=date(2026, 2, 18), converter=Converter(until=date(2026, 2, 18)))
    standing_after = standing_at(day=date(2026, 2, 19), converter=Converter(until=date(2026, 2, 19)))

    assert (standing_before.mrr_minor, standing_before.members) == (1000, 1)
    assert (standing_after.mrr_minor, standing_after.members) == (0, 0)


def test_member_churn_rate_is_members_ended_in_the_month_over_members_at_its_start():
    memberships = [member(amount=1000) for _ in range(4)]
    for index, membership in enumerate(memberships):
        event(membership, "started", on=at(f"2026-01-0{index + 1} 10:00"))
    event(memberships[0], "ended", on=at("2026-02-10 10:00"))
    event(member(amount=2000), "started", on=at("2026-02-11 10:00"))  # joining does not lower churn

    february = series(date(2026, 2, 1), 2).months[-1]

    assert (february.members_start, february.members_churned, february.members_end) == (4, 1, 4)
    assert february.member_churn_rate == 0.25
    assert february.revenue_churn_rate == 1000 / 4000


def test_saves_count_withdrawn_cancellations_and_offers_taken():
    membership = member(amount=1000)
    event(membership, "started", on=at("2026-01-05 10:00"))
    event(membership, "cancel_requested", on=at("2026-02-05 10:00"))
    event(membership, "cancel_withdrawn", on=at("2026-02-06 10:00"))
    SaveOffer.objects.create(
        membership=membership,
        outcome=SaveOffer.Outcome.SAVED,
        offer_taken="pause_1",
        decided_at=at("2026-02-20 10:00"),
    )
    SaveOffer.objects.create(
        membership=membership, outcome=SaveOffer.Outcome.CANCELED, decided_at=timezone.now()
    )

    months = by_month(series(date(2026, 2, 1), 2))

    assert (months["2026-01"]["saves"], months["2026-02"]["saves"]) == (0, 2)


def test_arr_is_twelve_times_mrr_and_arpm_is_mrr_per_member():
    event(member(amount=1000), "started", on=at("2026-01-05 10:00"))
    event(member(amount=12000, interval=Membership.Interval.YEAR), "started", on=at("2026-01-06 10:00"))
    event(member(amount=501), "started", on=at("2026-01-07 10:00"))

    standing = standing_at(day=date(2026, 1, 31), converter=Converter(until=date(2026, 1, 31)))

    assert (standing.mrr_minor, standing.arr_minor, standing.members) == (2501, 30012, 3)
    assert standing.arpm_minor == 834  # 2501 / 3 = 833.67


def test_an_event_at_half_past_eleven_local_on_the_last_day_moves_that_months_mrr(settings):
    settings.REPORTING_TIME_ZONE = "Europe/Kyiv"
    event(member(amount=1000), "started", on=at("2026-01-31 23:30", "Europe/Kyiv"))
    event(member(amount=2000), "started", on=at("2026-02-01 00:30", "Europe/Kyiv"))

    months = by_month(series(date(2026, 2, 1), 2))

    assert (months["2026-01"]["new_minor"], months["2026-02"]["new_minor"]) == (1000, 2000)
