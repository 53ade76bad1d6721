"""The headline figures for a period, each beside the same figure for the period before it."""

from dataclasses import dataclass

from reporting.conversion import Converter
from reporting.mrr import mrr_at
from reporting.periods import Period
from reporting.revenue import RevenueReport, revenue_report

HEADLINES = [
    "gross_minor",
    "refunds_minor",
    "disputes_minor",
    "fees_minor",
    "net_minor",
    "one_off_minor",
    "recurring_minor",
    "gifts",
    "one_off_gifts",
    "recurring_payments",
    "average_one_off_minor",
    "median_one_off_minor",
    "mrr_minor",
    "arr_minor",
    "members",
    "arpm_minor",
]


@dataclass
class Standing:
    """Where memberships stand at the end of a day: MRR, ARR, members and MRR per member."""

    mrr_minor: int
    members: int
    by_currency: dict[str, int]

    @property
    def arr_minor(self) -> int:
        return 12 * self.mrr_minor

    @property
    def arpm_minor(self) -> int | None:
        """MRR / members, to the nearest minor unit (halves up)."""
        return (2 * self.mrr_minor + self.members) // (2 * self.members) if self.members else None


def standing_at(*, day, converter: Converter) -> Standing:
    per_currency, members = mrr_at(day=day)
    converted = [converter.convert(amount, code, day) for code, amount in per_currency.items()]
    return Standing(
        mrr_minor=sum(amount for amount in converted if amount is not None),
        members=members,
        by_currency=per_currency,
    )


@dataclass
class Summary:
    period: Period
    previous_period: Period
    currency: str
    revenue: RevenueReport
    previous_revenue: RevenueReport
    standing: Standing
    previous_standing: Standing
    unconverted_currencies: list[str]

    def figures(self) -> dict:
        return {**self.revenue.total.as_dict(), **_standing_dict(self.standing)}

    def previous_figures(self) -> dict:
        return {**self.previous_revenue.total.as_dict(), **_standing_dict(self.previous_standing)}

    def changes(self) -> dict[str, dict]:
        """Each headline's change against the previous period: the difference, and the ratio if defined."""
        now, before = self.figures(), self.previous_figures()
        changes = {}
        for name in HEADLINES:
            current, previous = now.get(name), before.get(name)
            if current is None or previous is None:
                changes[name] = {"difference": None, "ratio": None}
                continue
            ratio = round((current - previous) / previous, 4) if previous else None
            changes[name] = {"difference": current - previous, "ratio": ratio}
        return changes

    def by_currency(self) -> list[dict]:
        """The same figures per original currency, unconverted."""
        rows = {revenue.currency: revenue.as_dict() for revenue in self.revenue.by_currency}
        for code, mrr in self.standing.by_currency.items():
            rows.setdefault(code, {"currency": code})
            rows[code]["mrr_minor"] = mrr
            rows[code]["arr_minor"] = 12 * mrr
        return [rows[code] for code in sorted(rows)]


def _standing_dict(standing: Standing) -> dict:
    return {
        "mrr_minor": standing.mrr_minor,
        "arr_minor": standing.arr_minor,
        "members": standing.members,
        "arpm_minor": standing.arpm_minor,
    }


def summary_for(
    *, period: Period, currency: str | None = None, converter: Converter | None = None
) -> Summary:
    """Nine queries whatever the period or the data (rates, and four each for now and before).

    A page showing more figures passes its own `converter` (rates up to a later day convert these
    days alike), so the rates are read once.
    """
    converter = converter or Converter(until=period.end, target=currency)
    previous = period.previous()
    revenue = revenue_report(period=period, converter=converter)
    previous_revenue = revenue_report(period=previous, converter=converter)
    standing = standing_at(day=period.end, converter=converter)
    previous_standing = standing_at(day=previous.end, converter=converter)
    return Summary(
        period=period,
        previous_period=previous,
        currency=converter.target,
        revenue=revenue,
        previous_revenue=previous_revenue,
        standing=standing,
        previous_standing=previous_standing,
        unconverted_currencies=sorted(converter.missing),
    )
