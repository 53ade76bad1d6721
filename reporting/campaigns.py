"""What a campaign has raised and how many members it brought, for its goal.

Raised is net: charges less refunds and disputes (a won dispute comes back), never Stripe's fees, so a
refund moves the goal back. Amounts settled in the goal's currency count as settled; others at the
rate of the range's last day (the same rule as the attribution report). New members are memberships
whose first event (started, or reactivated) falls in the range, from the attribution rollup. Two
queries, and one for the rates.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, Sum

from payments.models import LedgerEntry
from reporting.conversion import Converter
from reporting.models import DailyAttributionRollup
from reporting.periods import day_bounds

NET_KINDS = (
    LedgerEntry.Kind.CHARGE,
    LedgerEntry.Kind.REFUND,
    LedgerEntry.Kind.DISPUTE,
    LedgerEntry.Kind.DISPUTE_REVERSAL,
)


@dataclass(frozen=True)
class CampaignTotals:
    currency: str
    raised_minor: int
    gifts: int
    new_members: int
    unconverted_currencies: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "currency": self.currency,
            "raised_minor": self.raised_minor,
            "gifts": self.gifts,
            "new_members": self.new_members,
            "unconverted_currencies": list(self.unconverted_currencies),
        }


def campaign_totals(*, campaign: str, start: date, end: date, currency: str) -> CampaignTotals:
    """The campaign's money (in `currency`) and new members between two of the newsroom's days."""
    since, until = day_bounds(start, end)
    converter = Converter(until=end, target=currency)
    rows = (
        LedgerEntry.objects.filter(
            campaign=campaign, kind__in=NET_KINDS, occurred_at__gte=since, occurred_at__lt=until
        )
        .values("currency", "settlement_currency")
        .annotate(
            amount=Sum("amount_minor"),
            settlement=Sum("settlement_amount_minor"),
            charges=Count("pk", filter=Q(kind=LedgerEntry.Kind.CHARGE)),
        )
    )
    raised = gifts = 0
    missing: set[str] = set()
    for row in rows:
        gifts += row["charges"]
        if row["currency"] == currency:
            raised += row["amount"]
        elif row["settlement_currency"] == currency and row["settlement"] is not None:
            raised += row["settlement"]
        else:
            converted = converter.convert(row["amount"], row["currency"], end)
            if converted is None:
                missing.add(row["currency"])
            raised += converted or 0
    members = DailyAttributionRollup.objects.filter(
        dimension=DailyAttributionRollup.Dimension.CAMPAIGN, value=campaign, day__range=(start, end)
    ).aggregate(new=Sum("new_members"))["new"]
    return CampaignTotals(
        currency=currency,
        raised_minor=raised,
        gifts=gifts,
        new_members=members or 0,
        unconverted_currencies=tuple(sorted(missing)),
    )
