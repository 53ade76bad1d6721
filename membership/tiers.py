"""Tiers as readers see them, and every membership's tier kept following its amount.

A tier is derived, never chosen: the highest tier whose minimum monthly-equivalent amount in the
membership's currency it reaches (an annual amount counts as amount // 12, rounded down to the minor
unit, so 12,000 a year reaches a 1,000-a-month tier and 11,999 does not). One-off gifts never make a tier.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import BigIntegerField, Case, F, IntegerField, Q, Value, When
from django.db.models.lookups import GreaterThanOrEqual

from membership import status
from membership.lifecycle import tier_for
from membership.models import Benefit, Membership, Tier, TierMinimum, monthly_equivalent

REASSIGN_BATCH = 500


@dataclass(frozen=True)
class TierInCurrency:
    """A tier as offered in one currency: what it gives and the smallest amount that reaches it."""

    tier: Tier
    currency: str
    monthly_minimum_minor: int
    benefits: tuple[Benefit, ...]

    @property
    def annual_minimum_minor(self) -> int:
        """The smallest annual amount whose monthly equivalent (rounded down) reaches the minimum."""
        return self.monthly_minimum_minor * 12

    def minimum_for(self, interval: str) -> int:
        return (
            self.annual_minimum_minor if interval == Membership.Interval.YEAR else self.monthly_minimum_minor
        )


def tiers_for_currency(*, currency: str) -> list[TierInCurrency]:
    """Tiers with a minimum in this currency, lowest position first, with their benefits (two queries).

    A tier without a minimum in a currency cannot be reached in it, so it is not offered there.
    """
    minimums = (
        TierMinimum.objects.filter(currency=currency)
        .select_related("tier")
        .prefetch_related("tier__benefits")
        .order_by("tier__position")
    )
    return [
        TierInCurrency(
            tier=minimum.tier,
            currency=currency,
            monthly_minimum_minor=minimum.monthly_minimum_minor,
            benefits=tuple(minimum.tier.benefits.all()),
        )
        for minimum in minimums
    ]


def tier_reached(*, amount_minor: int, currency: str, interval: str) -> Tier | None:
    """The tier a membership of this amount would have; None for a one-off gift (any other interval)."""
    if interval not in Membership.Interval.values:
        return None
    return tier_for(currency=currency, monthly_amount_minor=monthly_equivalent(amount_minor, interval))


def membership_tier(*, membership_id: int) -> Tier | None:
    """A membership's tier with its benefits, for the thank-you page and the welcome email."""
    membership = (
        Membership.objects.select_related("tier")
        .prefetch_related("tier__benefits")
        .only("tier")
        .filter(pk=membership_id)
        .first()
    )
    return membership.tier if membership else None


def _tier_expression(minimums: Iterable[TierMinimum]) -> Case:
    """The tier `tier_for` would pick, computed by the database from each row's current amount and
    interval: the highest position whose minimum in the row's currency the monthly equivalent reaches."""
    monthly = Case(
        When(interval=Membership.Interval.YEAR, then=F("amount_minor") / Value(12)),
        default=F("amount_minor"),
        output_field=BigIntegerField(),
    )
    ordered = sorted(minimums, key=lambda minimum: minimum.tier.position, reverse=True)
    return Case(
        *(
            When(
                Q(
                    GreaterThanOrEqual(monthly, Value(minimum.monthly_minimum_minor)),
                    currency=minimum.currency,
                ),
                then=Value(minimum.tier_id),
            )
            for minimum in ordered
        ),
        default=None,
        output_field=IntegerField(),
    )


def _statuses_invalidate(contributor_ids: set[int]) -> None:
    """The membership check caches each reader's tier: a reader whose tier moved sees it at once."""
    for contributor_id in contributor_ids:
        status.member_status_invalidate(contributor_id=contributor_id)


@transaction.atomic
def tiers_reassign(*, currency: str | None = None) -> int:
    """Every membership's tier follows its amount again, after staff changed tiers or minimums.

    No history event: a tier is derived from the amount, not a change of the membership. The UPDATE
    computes the tier itself from each row's amount at that moment, so a snapshot applied meanwhile
    (under its row lock) never gets the tier of its old amount. Returns how many memberships changed
    tier; their readers' cached membership status is forgotten after commit.
    """
    memberships = Membership.objects.all()
    minimums = TierMinimum.objects.select_related("tier")
    if currency is not None:
        memberships = memberships.filter(currency=currency)
        minimums = minimums.filter(currency=currency)
    new_tier = _tier_expression(list(minimums))
    rows = memberships.annotate(computed=new_tier).values_list("pk", "tier_id", "computed", "contributor_id")
    changed = [(pk, contributor_id) for pk, tier_id, computed, contributor_id in rows if tier_id != computed]
    ids = [pk for pk, _contributor_id in changed]
    for start in range(0, len(ids), REASSIGN_BATCH):
        Membership.objects.filter(pk__in=ids[start : start + REASSIGN_BATCH]).update(tier=new_tier)
    contributor_ids = {contributor_id for _pk, contributor_id in changed}
    transaction.on_commit(lambda: _statuses_invalidate(contributor_ids))
    return len(changed)
