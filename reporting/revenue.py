"""Revenue in a period, from the daily ledger rollup: gross, refunds, disputes, fees, net and gifts.

Every figure counts on the day its ledger entry happened (a refund in the month of the refund, not of
the gift), in the newsroom's time zone. Three queries whatever the range or the data.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q, Sum
from django.db.models.functions import TruncMonth

from payments.models import Frequency, LedgerEntry
from reporting.conversion import Converter
from reporting.models import DailyLedgerRollup, DailyOneOffAmount
from reporting.periods import Period

LedgerKind = LedgerEntry.Kind


@dataclass
class Revenue:
    """One currency's (or the converted) revenue figures, in minor units; out-going figures positive."""

    currency: str
    gross_minor: int = 0
    refunds_minor: int = 0
    disputes_minor: int = 0
    fees_minor: int = 0
    one_off_minor: int = 0
    recurring_minor: int = 0
    one_off_gifts: int = 0
    recurring_payments: int = 0
    average_one_off_minor: int | None = None
    median_one_off_minor: int | None = None

    @property
    def net_minor(self) -> int:
        return self.gross_minor - self.refunds_minor - self.disputes_minor - self.fees_minor

    @property
    def gifts(self) -> int:
        return self.one_off_gifts + self.recurring_payments

    def add(self, *, kind: str, frequency: str, amount_minor: int, entries: int) -> None:
        if kind == LedgerKind.CHARGE:
            self.gross_minor += amount_minor
            if frequency == Frequency.ONE_OFF:
                self.one_off_minor += amount_minor
                self.one_off_gifts += entries
            else:
                self.recurring_minor += amount_minor
                self.recurring_payments += entries
        elif kind == LedgerKind.REFUND:
            self.refunds_minor -= amount_minor
        elif kind in (LedgerKind.DISPUTE, LedgerKind.DISPUTE_REVERSAL):
            self.disputes_minor -= amount_minor
        elif kind == LedgerKind.FEE:
            self.fees_minor -= amount_minor

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "gross_minor": self.gross_minor,
            "refunds_minor": self.refunds_minor,
            "disputes_minor": self.disputes_minor,
            "fees_minor": self.fees_minor,
            "net_minor": self.net_minor,
            "one_off_minor": self.one_off_minor,
            "recurring_minor": self.recurring_minor,
            "gifts": self.gifts,
            "one_off_gifts": self.one_off_gifts,
            "recurring_payments": self.recurring_payments,
            "average_one_off_minor": self.average_one_off_minor,
            "median_one_off_minor": self.median_one_off_minor,
        }


@dataclass
class RevenueReport:
    period: Period
    total: Revenue
    by_currency: list[Revenue]
    unconverted_currencies: list[str] = field(default_factory=list)


def _divide_rounded(amount: int, count: int) -> int:
    """amount / count to the nearest minor unit, halves up (amounts here are never negative)."""
    return (2 * amount + count) // (2 * count)


def _median(counts: dict[int, int]) -> int | None:
    """The middle amount of gifts counted per amount (the lower middle one for an even count)."""
    total = sum(counts.values())
    if not total:
        return None
    seen, middle = 0, (total + 1) // 2
    for amount in sorted(counts):
        seen += counts[amount]
        if seen >= middle:
            return amount
    return None


def revenue_report(*, period: Period, converter: Converter) -> RevenueReport:
    rows = DailyLedgerRollup.objects.filter(day__range=(period.start, period.end))
    target = converter.target
    by_currency: dict[str, Revenue] = {}
    total = Revenue(target)
    grouped = rows.values("currency", "kind", "frequency", "settlement_currency").annotate(
        amount=Sum("amount_minor"), settlement=Sum("settlement_amount_minor"), entries=Sum("entries")
    )
    for row in grouped:
        revenue = by_currency.setdefault(row["currency"], Revenue(row["currency"]))
        revenue.add(
            kind=row["kind"], frequency=row["frequency"], amount_minor=row["amount"], entries=row["entries"]
        )
        if row["currency"] == target:
            total.add(
                kind=row["kind"],
                frequency=row["frequency"],
                amount_minor=row["amount"],
                entries=row["entries"],
            )
        elif row["settlement_currency"] == target:
            total.add(
                kind=row["kind"],
                frequency=row["frequency"],
                amount_minor=row["settlement"],
                entries=row["entries"],
            )
    # What Stripe settled in another currency, or did not report: converted with the day's rate.
    unsettled = (
        rows.exclude(currency=target)
        .exclude(settlement_currency=target)
        .values("day", "currency", "kind", "frequency")
        .annotate(amount=Sum("amount_minor"), entries=Sum("entries"))
    )
    for day_row in unsettled:
        converted = converter.convert(day_row["amount"], day_row["currency"], day_row["day"])
        if converted is not None:
            total.add(
                kind=day_row["kind"],
                frequency=day_row["frequency"],
                amount_minor=converted,
                entries=day_row["entries"],
            )
    _add_one_off_amounts(period=period, converter=converter, total=total, by_currency=by_currency)
    return RevenueReport(
        period=period,
        total=total,
        by_currency=[by_currency[code] for code in sorted(by_currency)],
        unconverted_currencies=sorted(converter.missing),
    )


def _add_one_off_amounts(
    *, period: Period, converter: Converter, total: Revenue, by_currency: dict[str, Revenue]
) -> None:
    """Average and median one-off gift; for the total, gifts in other currencies at the last day's rate."""
    amounts = (
        DailyOneOffAmount.objects.filter(day__range=(period.start, period.end))
        .values_list("currency", "amount_minor")
        .annotate(gifts=Sum("gifts"))
    )
    per_currency: dict[str, dict[int, int]] = defaultdict(dict)
    converted: dict[int, int] = defaultdict(int)
    for currency, amount, gifts in amounts:
        per_currency[currency][amount] = gifts
        in_target = converter.convert(amount, currency, period.end)
        if in_target is not None:
            converted[in_target] += gifts
    for currency, counts in per_currency.items():
        revenue = by_currency.get(currency)
        if revenue is not None and revenue.one_off_gifts:
            revenue.median_one_off_minor = _median(counts)
            revenue.average_one_off_minor = _divide_rounded(revenue.one_off_minor, revenue.one_off_gifts)
    total.median_one_off_minor = _median(converted)
    if total.one_off_gifts:
        total.average_one_off_minor = _divide_rounded(max(total.one_off_minor, 0), total.one_off_gifts)


def revenue_by_month(*, start: date, end: date, converter: Converter) -> dict[date, Revenue]:
    """Revenue per month in the reporting currency (for the chart and the reader share): two queries."""
    target = converter.target
    months: dict[date, Revenue] = {}
    rows = DailyLedgerRollup.objects.filter(day__range=(start, end))
    known = (
        rows.filter(Q(currency=target) | Q(settlement_currency=target))
        .annotate(month=TruncMonth("day"))
        .values("month", "currency", "kind", "frequency")
        .annotate(
            amount=Sum("amount_minor"), settlement=Sum("settlement_amount_minor"), entries=Sum("entries")
        )
    )
    for row in known:
        amount = row["amount"] if row["currency"] == target else row["settlement"]
        revenue = months.setdefault(row["month"], Revenue(target))
        revenue.add(kind=row["kind"], frequency=row["frequency"], amount_minor=amount, entries=row["entries"])
    unsettled = (
        rows.exclude(currency=target)
        .exclude(settlement_currency=target)
        .values("day", "currency", "kind", "frequency")
        .annotate(amount=Sum("amount_minor"), entries=Sum("entries"))
    )
    for day_row in unsettled:
        converted = converter.convert(day_row["amount"], day_row["currency"], day_row["day"])
        if converted is not None:
            revenue = months.setdefault(day_row["day"].replace(day=1), Revenue(target))
            revenue.add(
                kind=day_row["kind"],
                frequency=day_row["frequency"],
                amount_minor=converted,
                entries=day_row["entries"],
            )
    return dict(sorted(months.items()))
