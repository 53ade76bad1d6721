"""What brought the money and the members: gifts, revenue, new members and their 3-month retention
per campaign, source or referring article (the attribution kept on every contribution and membership).

Revenue is gross, from the daily attribution rollup; amounts Stripe settled in the reporting
currency count as settled, others at the rate of the range's last day. New members are memberships
whose first event (started, or reactivated for a lapsed member) falls in the range; retained: did not
end within 90 days of that start, counted only for memberships that started more than 90 days ago.
One query on the rollup (and one for the rates) whatever the data.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Q, Sum

from payments.models import Frequency
from reporting.conversion import Converter
from reporting.models import DailyAttributionRollup
from reporting.periods import Period, today
from reporting.rollups import RETENTION_DAYS

DIMENSIONS = ("campaign", "source", "ref", "variant")
MAX_ROWS = 50


class AttributionError(ValueError):
    field = "by"


@dataclass
class AttributionRow:
    value: str
    gifts: int = 0
    one_off_gifts: int = 0
    revenue_minor: int = 0
    new_members: int = 0
    retention_known: int = 0
    retained: int = 0

    @property
    def retention_share(self) -> float | None:
        return self.retained / self.retention_known if self.retention_known else None

    def as_dict(self) -> dict:
        return {
            "value": self.value,
            "gifts": self.gifts,
            "one_off_gifts": self.one_off_gifts,
            "revenue_minor": self.revenue_minor,
            "new_members": self.new_members,
            "members_retained_3_months": self.retained,
            "members_started_90_days_ago_or_more": self.retention_known,
            "retention_3_months": None if self.retention_share is None else round(self.retention_share, 4),
        }


def attribution_report(*, period: Period, by: str, converter: Converter) -> list[AttributionRow]:
    if by not in DIMENSIONS:
        raise AttributionError("Choose campaign, source, ref or variant.")
    # Retention is known for memberships whose start day is over RETENTION_DAYS behind us.
    known_until = today() - timedelta(days=RETENTION_DAYS + 1)
    known = Q(day__lte=known_until)
    rows: dict[str, AttributionRow] = {}
    grouped = (
        DailyAttributionRollup.objects.filter(dimension=by, day__range=(period.start, period.end))
        .values("value", "currency", "settlement_currency", "frequency")
        .annotate(
            gifts=Sum("gifts"),
            amount=Sum("amount_minor"),
            settlement=Sum("settlement_amount_minor"),
            new=Sum("new_members"),
            known=Sum("new_members", filter=known),
            ended_early=Sum("members_ended_early", filter=known),
        )
    )
    for group in grouped:
        row = rows.setdefault(group["value"], AttributionRow(group["value"]))
        row.gifts += group["gifts"]
        if group["frequency"] == Frequency.ONE_OFF:
            row.one_off_gifts += group["gifts"]
        if group["currency"] == converter.target:
            row.revenue_minor += group["amount"]
        elif group["settlement_currency"] == converter.target:
            row.revenue_minor += group["settlement"]
        else:
            row.revenue_minor += converter.convert(group["amount"], group["currency"], period.end) or 0
        row.new_members += group["new"]
        row.retention_known += group["known"] or 0
        row.retained += (group["known"] or 0) - (group["ended_early"] or 0)
    ranked = sorted(rows.values(), key=lambda r: (-r.revenue_minor, -r.new_members, r.value))
    return [row for row in ranked if row.gifts or row.new_members][:MAX_ROWS]
