"""Write a scenario into the base tables the way payments and membership write them.

Ledger entries and membership events are created as the live writers create them (one `create`
each, in a transaction), so the rollups follow through the same signal as in production.
"""

import itertools
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from membership.models import Membership, MembershipEvent
from payments.models import Contribution, Contributor, Frequency, LedgerEntry
from tests.factories import ContributorFactory, MembershipFactory

_ids = itertools.count(1)
UTC = ZoneInfo("UTC")


def at(text: str, zone: str = "UTC") -> datetime:
    """'2026-03-31 23:30' in a time zone, as an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def _entry(**fields) -> LedgerEntry:
    with transaction.atomic():
        return LedgerEntry.objects.create(stripe_object_id=f"obj_{next(_ids)}", **fields)


def gift(
    *,
    amount: int,
    on: datetime,
    currency: str = "USD",
    contributor: Contributor | None = None,
    frequency: str = Frequency.ONE_OFF,
    membership: Membership | None = None,
    campaign: str = "",
    source: str = "",
    ref: str = "",
    variant: str = "",
    fee: int = 0,
    settled: tuple[int, str] | None = None,
) -> Contribution:
    """A paid gift (or a membership's paid period) with its charge entry, and Stripe's fee if any."""
    contributor = contributor or (membership.contributor if membership else ContributorFactory())
    contribution = Contribution.objects.create(
        contributor=contributor,
        membership=membership,
        frequency=frequency,
        amount_minor=amount,
        currency=currency,
        status=Contribution.Status.SUCCEEDED,
        succeeded_at=on,
        campaign=campaign,
        source=source,
        ref=ref,
        variant=variant,
    )
    settlement = {"settlement_amount_minor": settled[0], "settlement_currency": settled[1]} if settled else {}
    links = {
        "contribution": contribution,
        "contributor": contributor,
        "membership": membership,
        "campaign": campaign,
        "occurred_at": on,
    }
    _entry(kind=LedgerEntry.Kind.CHARGE, amount_minor=amount, currency=currency, **settlement, **links)
    if fee:
        fee_currency = settled[1] if settled else currency
        _entry(
            kind=LedgerEntry.Kind.FEE,
            amount_minor=-fee,
            currency=fee_currency,
            settlement_amount_minor=-fee,
            settlement_currency=fee_currency,
            **links,
        )
    return contribution


def _follow_up(contribution: Contribution, *, kind: str, amount: int, on: datetime) -> LedgerEntry:
    return _entry(
        kind=kind,
        amount_minor=amount,
        currency=contribution.currency,
        contribution=contribution,
        contributor=contribution.contributor,
        membership=contribution.membership,
        campaign=contribution.campaign,
        occurred_at=on,
    )


def refund(contribution: Contribution, *, amount: int, on: datetime) -> LedgerEntry:
    return _follow_up(contribution, kind=LedgerEntry.Kind.REFUND, amount=-amount, on=on)


def dispute(contribution: Contribution, *, on: datetime) -> LedgerEntry:
    return _follow_up(contribution, kind=LedgerEntry.Kind.DISPUTE, amount=-contribution.amount_minor, on=on)


def dispute_won(contribution: Contribution, *, on: datetime) -> LedgerEntry:
    return _follow_up(
        contribution, kind=LedgerEntry.Kind.DISPUTE_REVERSAL, amount=contribution.amount_minor, on=on
    )


def member(
    *,
    amount: int,
    currency: str = "USD",
    interval: str = "month",
    contributor=None,
    campaign: str = "",
    variant: str = "",
) -> Membership:
    extra = {"contributor": contributor} if contributor else {}
    return MembershipFactory(
        amount_minor=amount, currency=currency, interval=interval, campaign=campaign, variant=variant, **extra
    )


def event(membership: Membership, kind: str, *, on: datetime, monthly: int | None = None) -> MembershipEvent:
    """One history event; `monthly` is the monthly-equivalent amount after it (default: the membership's)."""
    with transaction.atomic():
        return MembershipEvent.objects.create(
            membership=membership,
            kind=kind,
            occurred_at=on,
            cause=MembershipEvent.Cause.STRIPE,
            monthly_amount_minor=membership.monthly_amount_minor if monthly is None else monthly,
            currency=membership.currency,
            interval=membership.interval,
            dedupe_key=f"{membership.pk}:test:{next(_ids)}",
        )
