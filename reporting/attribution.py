"""What brought the money and the members: gifts, revenue, new members and their 3-month retention
per campaign, source or referring article (the attribution kept on every contribution and membership).

Revenue is gross, from the daily attribution rollup; amounts Stripe settled in the reporting
currency count as settled, others at the rate of the range's last day. New members are memberships
started in the range; retained: still a member 3 months (90 days) after starting, counted only for
memberships started at least 90 days ago. Two queries whatever the data.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from membership.models import Membership
from payments.models import Frequency
from reporting.conversion import Converter
from reporting.models import DailyAttributionRollup
from reporting.periods import Period, day_bounds

DIMENSIONS = ("campaign", "source", "ref")
RETENTION_DAYS = 90
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
        raise AttributionError("Choose campaign, source or ref.")
    rows: dict[str, AttributionRow] = {}

    def row_for(value: str) -> AttributionRow:
        return rows.setdefault(value, AttributionRow(value))

    payments = (
        DailyAttributionRollup.objects.filter(dimension=by, day__range=(period.start, period.end))
        .values("value", "currency", "settlement_currency", "frequency")
        .annotate(gifts=Sum("gifts"), amount=Sum("amount_minor"), settlement=Sum("settlement_amount_minor"))
    )
    for payment in payments:
        row = row_for(payment["value"])
        row.gifts += payment["gifts"]
        if payment["frequency"] == Frequency.ONE_OFF:
            row.one_off_gifts += payment["gifts"]
        if payment["currency"] == converter.target:
            row.revenue_minor += payment["amount"]
        elif payment["settlement_currency"] == converter.target:
            row.revenue_minor += payment["settlement"]
        else:
            row.revenue_minor += converter.convert(payment["amount"], payment["currency"], period.end) or 0
    _add_members(rows=rows, row_for=row_for, period=period, by=by)
    ranked = sorted(rows.values(), key=lambda r: (-r.revenue_minor, -r.new_members, r.value))
    return ranked[:MAX_ROWS]


def _add_members(*, rows, row_for, period: Period, by: str) -> None:
    since, before = day_bounds(period.start, period.end)
    known_before = timezone.now() - timedelta(days=RETENTION_DAYS)
    retained = Q(ended_at__isnull=True) | Q(ended_at__gte=F("started_at") + timedelta(days=RETENTION_DAYS))
    started = (
        Membership.objects.filter(started_at__gte=since, started_at__lt=before)
        .exclude(state=Membership.State.PENDING)
        .values(by)
        .annotate(
            new=Count("id"),
            known=Count("id", filter=Q(started_at__lte=known_before)),
            kept=Count("id", filter=Q(started_at__lte=known_before) & retained),
        )
    )
    for group in started:
        row = row_for(group[by])
        row.new_members += group["new"]
        row.retention_known += group["known"]
        row.retained += group["kept"]
