"""A campaign's progress toward its goal, as its page and the banner's ticker show it.

The figures are reporting's (`reporting.campaigns.campaign_totals`), so the page, the ticker and the
reports cannot disagree.
"""

from dataclasses import dataclass
from datetime import date

from babel.numbers import format_decimal
from django.utils.translation import gettext as _

from engagement.models import Campaign
from payments.money import format_money
from reporting.campaigns import campaign_totals
from reporting.periods import today


@dataclass(frozen=True)
class CampaignProgress:
    kind: str  # "money" or "members"
    value: int
    goal: int
    currency: str  # the goal's, for money

    @property
    def percent(self) -> int:
        """Whole percent reached, at most 100 (for the bar's width)."""
        return min(100, self.value * 100 // self.goal) if self.goal > 0 else 0

    def label(self, *, locale: str) -> str:
        if self.kind == Campaign.Goal.MONEY:
            return _("%(value)s of %(goal)s raised") % {
                "value": format_money(max(self.value, 0), self.currency, locale),
                "goal": format_money(self.goal, self.currency, locale),
            }
        return _("%(value)s of %(goal)s members") % {
            "value": format_decimal(self.value, locale=locale),
            "goal": format_decimal(self.goal, locale=locale),
        }


def campaign_is_open(campaign: Campaign, *, day: date | None = None) -> bool:
    day = day or today()
    return campaign.starts_on <= day and (campaign.ends_on is None or day <= campaign.ends_on)


def campaign_progress(campaign: Campaign, *, day: date | None = None) -> CampaignProgress | None:
    """Progress from the campaign's first day to today (or its deadline); None without a goal."""
    if not campaign.goal_kind:
        return None
    day = day or today()
    end = min(day, campaign.ends_on) if campaign.ends_on else day
    currency = campaign.goal_currency or "USD"
    if end < campaign.starts_on:
        totals = None
    else:
        totals = campaign_totals(campaign=campaign.slug, start=campaign.starts_on, end=end, currency=currency)
    if campaign.goal_kind == Campaign.Goal.MONEY:
        return CampaignProgress(
            kind=Campaign.Goal.MONEY,
            value=totals.raised_minor if totals else 0,
            goal=campaign.goal_amount_minor or 0,
            currency=currency,
        )
    return CampaignProgress(
        kind=Campaign.Goal.MEMBERS,
        value=totals.new_members if totals else 0,
        goal=campaign.goal_members or 0,
        currency="",
    )
