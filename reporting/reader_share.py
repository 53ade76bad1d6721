"""The reader share of revenue: reader revenue / (reader revenue + other revenue), per month and year.

Reader revenue is what readers gave less refunds and disputes (Stripe's fees are a cost, not less
giving); other revenue is what staff enter per month and category (grants, advertising, events...).
This is how the newsroom can say "80% of our revenue comes from readers". Three queries.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Sum

from reporting.conversion import Converter
from reporting.models import OtherRevenue
from reporting.periods import add_months, month_end
from reporting.revenue import Revenue, revenue_by_month


@dataclass
class ShareRow:
    label: str
    reader_minor: int = 0
    other_minor: int = 0
    other_by_category: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def share(self) -> float | None:
        total = self.reader_minor + self.other_minor
        return self.reader_minor / total if total > 0 else None

    def as_dict(self) -> dict:
        return {
            "period": self.label,
            "reader_minor": self.reader_minor,
            "other_minor": self.other_minor,
            "other_by_category": dict(self.other_by_category),
            "reader_share": None if self.share is None else round(self.share, 4),
        }


def reader_share(
    *, last_month: date, months: int, converter: Converter, revenue: dict[date, Revenue] | None = None
) -> tuple[list[ShareRow], list[ShareRow]]:
    """Rows per month for the `months` months to `last_month`, and per calendar year they touch.

    `revenue` is `revenue_by_month` of the same months when the caller has it already (the dashboard).
    """
    first = add_months(last_month, -(months - 1))
    last_day = month_end(last_month)
    if revenue is None:
        revenue = revenue_by_month(start=first, end=last_day, converter=converter)
    by_month = {add_months(first, i): ShareRow(add_months(first, i).strftime("%Y-%m")) for i in range(months)}
    for month, figures in revenue.items():
        if month in by_month:
            by_month[month].reader_minor = (
                figures.gross_minor - figures.refunds_minor - figures.disputes_minor
            )
    other = (
        OtherRevenue.objects.filter(month__range=(first, last_day))
        .values("month", "category", "currency")
        .annotate(amount=Sum("amount_minor"))
    )
    for row in other:
        amount = converter.convert(row["amount"], row["currency"], month_end(row["month"])) or 0
        share_row = by_month[row["month"]]
        share_row.other_minor += amount
        share_row.other_by_category[row["category"]] += amount
    years: dict[int, ShareRow] = {}
    for month, month_row in by_month.items():
        year = years.setdefault(month.year, ShareRow(str(month.year)))
        year.reader_minor += month_row.reader_minor
        year.other_minor += month_row.other_minor
        for category, amount in month_row.other_by_category.items():
            year.other_by_category[category] += amount
    return list(by_month.values()), [years[y] for y in sorted(years)]
