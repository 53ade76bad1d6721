"""MRR, its movements and members per month, from the daily movement rollups.

MRR at the end of a day is the sum of every movement up to that day; a month's movements are those
of its days, so start + movements = end holds exactly per currency. In the reporting currency each
amount is converted at the rate of the last day shown, and whatever the rounding of those
conversions leaves is its own line (`conversion_rounding_minor`, zero when every membership is in
the reporting currency), so the identity holds there too. Four queries whatever the range.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from membership.models import MembershipEvent, SaveOffer
from reporting.conversion import Converter
from reporting.models import DailyMemberMovement, DailyMrrMovement
from reporting.periods import add_months, day_bounds, month_end, newsroom_zone

MOVEMENTS = [choice for choice, _label in DailyMrrMovement.Movement.choices]
MEMBER_MOVEMENTS = [choice for choice, _label in DailyMemberMovement.Movement.choices]


@dataclass
class MrrMonth:
    month: date
    start_minor: int
    end_minor: int
    movements_minor: dict[str, int]
    conversion_rounding_minor: int
    members_start: int
    members_end: int
    member_movements: dict[str, int]
    saves: int
    by_currency: dict[str, dict] = field(default_factory=dict)

    @property
    def members_churned(self) -> int:
        return -self.member_movements.get("churned", 0)

    @property
    def member_churn_rate(self) -> float | None:
        """Members whose membership ended in the month / members at its start."""
        return self.members_churned / self.members_start if self.members_start else None

    @property
    def revenue_churn_rate(self) -> float | None:
        """MRR lost to ended memberships in the month / MRR at its start."""
        churned = -self.movements_minor.get("churned", 0)
        return churned / self.start_minor if self.start_minor > 0 else None

    def as_dict(self) -> dict:
        return {
            "month": self.month.strftime("%Y-%m"),
            "mrr_start_minor": self.start_minor,
            "mrr_end_minor": self.end_minor,
            **{f"{name}_minor": self.movements_minor.get(name, 0) for name in MOVEMENTS},
            "conversion_rounding_minor": self.conversion_rounding_minor,
            "members_start": self.members_start,
            "members_end": self.members_end,
            **{f"members_{name}": self.member_movements.get(name, 0) for name in MEMBER_MOVEMENTS},
            "saves": self.saves,
            "member_churn_rate": self.member_churn_rate,
            "revenue_churn_rate": self.revenue_churn_rate,
            "by_currency": [
                {"currency": code, **figures} for code, figures in sorted(self.by_currency.items())
            ],
        }


@dataclass
class MrrSeries:
    months: list[MrrMonth]
    currency: str
    rate_day: date
    unconverted_currencies: list[str]

    @property
    def latest(self) -> MrrMonth | None:
        return self.months[-1] if self.months else None

    def churn_average(self) -> tuple[float | None, int]:
        """The mean monthly member churn rate over the months that had members at their start."""
        rates = [m.member_churn_rate for m in self.months if m.member_churn_rate is not None]
        return (sum(rates) / len(rates) if rates else None), len(rates)


def mrr_at(*, day: date) -> tuple[dict[str, int], int]:
    """MRR per currency and the member count at the end of a day (two queries)."""
    per_currency = {
        row["currency"]: row["amount"]
        for row in DailyMrrMovement.objects.filter(day__lte=day)
        .values("currency")
        .annotate(amount=Sum("amount_minor"))
    }
    members = DailyMemberMovement.objects.filter(day__lte=day).aggregate(total=Sum("members"))["total"] or 0
    return per_currency, members


def _saves_by_month(start: date, end: date) -> dict[date, int]:
    """Cancellations withdrawn, and save offers taken (a pause, a lower amount, annual), per month."""
    saves: dict[date, int] = defaultdict(int)
    since, before = day_bounds(start, end)
    zone = newsroom_zone()
    withdrawn = (
        MembershipEvent.objects.filter(
            kind=MembershipEvent.Kind.CANCEL_WITHDRAWN, occurred_at__gte=since, occurred_at__lt=before
        )
        .annotate(month=TruncMonth("occurred_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("id"))
    )
    taken = (
        SaveOffer.objects.filter(
            outcome=SaveOffer.Outcome.SAVED, decided_at__gte=since, decided_at__lt=before
        )
        .annotate(month=TruncMonth("decided_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("id"))
    )
    for row in [*withdrawn, *taken]:
        month = row["month"].date() if hasattr(row["month"], "date") else row["month"]
        saves[month] += row["n"]
    return saves


def mrr_series(*, last_month: date, months: int, converter: Converter) -> MrrSeries:
    """The `months` months up to the month of `last_month`, each with its start, movements and end."""
    first = add_months(last_month, -(months - 1))
    last_day = month_end(last_month)
    opening, members = mrr_at(day=first - timedelta(days=1))
    moved: dict[date, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    for row in (
        DailyMrrMovement.objects.filter(day__range=(first, last_day))
        .annotate(month=TruncMonth("day"))
        .values("month", "currency", "movement")
        .annotate(amount=Sum("amount_minor"))
    ):
        moved[row["month"]][row["currency"]][row["movement"]] = row["amount"]
    members_moved: dict[date, dict[str, int]] = defaultdict(dict)
    for member_row in (
        DailyMemberMovement.objects.filter(day__range=(first, last_day))
        .annotate(month=TruncMonth("day"))
        .values("month", "movement")
        .annotate(n=Sum("members"))
    ):
        members_moved[member_row["month"]][member_row["movement"]] = member_row["n"]
    saves = _saves_by_month(first, last_day)

    def in_target(amount: int, currency: str) -> int:
        return converter.convert(amount, currency, last_day) or 0

    series: list[MrrMonth] = []
    balances = dict(opening)
    for index in range(months):
        month = add_months(first, index)
        start_converted = sum(in_target(amount, code) for code, amount in balances.items())
        by_currency: dict[str, dict] = {}
        converted_moves: dict[str, int] = defaultdict(int)
        currencies = sorted(set(balances) | set(moved[month]))
        for code in currencies:
            start = balances.get(code, 0)
            moves = moved[month].get(code, {})
            end = start + sum(moves.values())
            balances[code] = end
            by_currency[code] = {
                "mrr_start_minor": start,
                "mrr_end_minor": end,
                **{f"{name}_minor": moves.get(name, 0) for name in MOVEMENTS},
            }
            for name, amount in moves.items():
                converted_moves[name] += in_target(amount, code)
        end_converted = sum(in_target(amount, code) for code, amount in balances.items())
        member_moves = members_moved[month]
        members_end = members + sum(member_moves.values())
        series.append(
            MrrMonth(
                month=month,
                start_minor=start_converted,
                end_minor=end_converted,
                movements_minor=dict(converted_moves),
                conversion_rounding_minor=end_converted - start_converted - sum(converted_moves.values()),
                members_start=members,
                members_end=members_end,
                member_movements=dict(member_moves),
                saves=saves.get(month, 0),
                by_currency=by_currency,
            )
        )
        members = members_end
    return MrrSeries(
        months=series,
        currency=converter.target,
        rate_day=last_day,
        unconverted_currencies=sorted(converter.missing),
    )
