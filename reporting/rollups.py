"""Keeping the rollups: each ledger entry and membership event adds itself as it is written.

The additions run in the writer's transaction (post_save, connected in `apps.py`), so a rolled-back
write leaves no trace in a rollup and a committed one is always counted, once: ledger entries and
membership events are append-only and unique, so each is saved as new exactly once.
`rebuild.py` computes the same rows from the base tables (`manage.py rebuild_rollups`).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection

from membership.models import Membership, MembershipEvent
from payments.models import Contribution, Frequency, LedgerEntry
from reporting.models import (
    CohortSize,
    ContributorMemberState,
    DailyAttributionRollup,
    DailyCohortMovement,
    DailyLedgerRollup,
    DailyMemberMovement,
    DailyMrrMovement,
    DailyOneOffAmount,
    MembershipMrrState,
)

Kind = MembershipEvent.Kind
Movement = DailyMrrMovement.Movement
MemberMovement = DailyMemberMovement.Movement

# A paused or ended membership adds nothing to MRR; every other state after an event counts its
# monthly-equivalent amount (active, past due within grace, canceling at period end).
_STARTS_COUNTING = {Kind.STARTED, Kind.REACTIVATED, Kind.RESUMED}
# A new member is retained who is still a member this long after starting.
RETENTION_DAYS = 90


def local_day(moment: datetime) -> date:
    """The day a moment falls on in the newsroom's time zone (REPORTING_TIME_ZONE)."""
    return moment.astimezone(ZoneInfo(settings.REPORTING_TIME_ZONE)).date()


def _add(model, *, key: dict, amounts: dict) -> None:
    """Add `amounts` to the row with `key`, creating it: one upsert (SQLite and PostgreSQL alike)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = [*key, *amounts]
    placeholders = ", ".join(["%s"] * len(columns))
    updates = ", ".join(f"{quote(name)} = {table}.{quote(name)} + EXCLUDED.{quote(name)}" for name in amounts)
    names = ", ".join(quote(name) for name in columns)
    conflict = ", ".join(quote(name) for name in key)
    # Table and column names come from the model, never from input; the values are parameters.
    insert = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"  # noqa: S608
    sql = f"{insert} ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*key.values(), *amounts.values()])


def ledger_rollup_key(
    *,
    occurred_at: datetime,
    currency: str,
    kind: str,
    frequency: str,
    settlement_currency: str,
    settlement_amount_minor: int | None,
) -> dict:
    """The rollup row a ledger entry adds to (the same for the live path and the rebuild)."""
    settled = settlement_amount_minor is not None and bool(settlement_currency)
    return {
        "day": local_day(occurred_at),
        "currency": currency,
        "kind": kind,
        "frequency": frequency or "",
        "settlement_currency": settlement_currency if settled else "",
    }


@dataclass(frozen=True)
class GiftOrigin:
    """What a ledger entry's contribution says about the gift: its frequency and where it came from."""

    frequency: str = ""
    source: str = ""
    ref: str = ""
    variant: str = ""


def ledger_entry_add(*, entry: LedgerEntry, origin: GiftOrigin) -> None:
    """Add one ledger entry to its day's rollup; a charge also to the gift amounts and attribution."""
    frequency = origin.frequency
    key = ledger_rollup_key(
        occurred_at=entry.occurred_at,
        currency=entry.currency,
        kind=entry.kind,
        frequency=frequency,
        settlement_currency=entry.settlement_currency,
        settlement_amount_minor=entry.settlement_amount_minor,
    )
    settlement = entry.settlement_amount_minor if key["settlement_currency"] else 0
    _add(
        DailyLedgerRollup,
        key=key,
        amounts={"amount_minor": entry.amount_minor, "settlement_amount_minor": settlement, "entries": 1},
    )
    if entry.kind != LedgerEntry.Kind.CHARGE:
        return
    if frequency == Frequency.ONE_OFF:
        _add(
            DailyOneOffAmount,
            key={"day": key["day"], "currency": entry.currency, "amount_minor": entry.amount_minor},
            amounts={"gifts": 1},
        )
    for attribution in attribution_keys(key=key, campaign=entry.campaign, origin=origin):
        _add(
            DailyAttributionRollup,
            key=attribution,
            amounts={"gifts": 1, "amount_minor": entry.amount_minor, "settlement_amount_minor": settlement},
        )


def attribution_keys(*, key: dict, campaign: str, origin: GiftOrigin) -> list[dict]:
    """A charge's rows in the attribution rollup: one per dimension, so a report by one reads only its own."""
    values = {"campaign": campaign, "source": origin.source, "ref": origin.ref, "variant": origin.variant}
    return [
        {
            "day": key["day"],
            "currency": key["currency"],
            "settlement_currency": key["settlement_currency"],
            "frequency": key["frequency"],
            "dimension": dimension,
            "value": value,
        }
        for dimension, value in values.items()
    ]


def _origin_of(entry: LedgerEntry) -> GiftOrigin:
    if entry.contribution_id is None:
        return GiftOrigin()
    row = (
        Contribution.objects.filter(pk=entry.contribution_id)
        .values_list("frequency", "source", "ref", "variant")
        .first()
    )
    return GiftOrigin(*row) if row else GiftOrigin()


@dataclass
class MrrState:
    """What one membership adds to MRR now, and whether a pause or an end stops it counting."""

    counted_minor: int = 0
    paused: bool = False
    ended: bool = False


@dataclass(frozen=True)
class MrrStep:
    after: MrrState
    delta: int
    movement: str
    membership_change: int  # +1 starts counting, -1 stops, 0 neither


def mrr_step(state: MrrState, *, kind: str, monthly_amount_minor: int) -> MrrStep:
    """What an event does to one membership's MRR: the movement is the difference before and after.

    A change of amount is expansion or contraction, a pause contraction, a resume expansion, and only
    `ended` is churn; `started` is new and `reactivated` reactivated.
    """
    starts = kind in _STARTS_COUNTING
    paused = (state.paused or kind == Kind.PAUSED) and not starts
    ended = (state.ended or kind == Kind.ENDED) and not starts
    counted_after = 0 if (paused or ended) else monthly_amount_minor
    delta = counted_after - state.counted_minor
    if kind == Kind.STARTED:
        movement = Movement.NEW
    elif kind == Kind.REACTIVATED:
        movement = Movement.REACTIVATED
    elif kind == Kind.ENDED:
        movement = Movement.CHURNED
    else:
        movement = Movement.EXPANSION if delta > 0 else Movement.CONTRACTION
    change = int(counted_after > 0) - int(state.counted_minor > 0)
    return MrrStep(MrrState(counted_after, paused, ended), delta, movement, change)


def member_movement_of(kind: str, *, ever_member: bool) -> str:
    if kind == Kind.ENDED:
        return MemberMovement.CHURNED
    if kind == Kind.PAUSED:
        return MemberMovement.PAUSED
    if kind == Kind.RESUMED and ever_member:
        return MemberMovement.RESUMED
    return MemberMovement.REACTIVATED if ever_member else MemberMovement.NEW


@dataclass(frozen=True)
class MemberOrigin:
    """Who a membership belongs to and what brought it: its events count in the attribution rollup."""

    contributor_id: int
    interval: str
    campaign: str = ""
    source: str = ""
    ref: str = ""
    variant: str = ""


def member_attribution_keys(*, started_at: datetime, currency: str, origin: MemberOrigin) -> list[dict]:
    """A membership's rows in the attribution rollup: its start day's, one per dimension."""
    frequency = Frequency.ANNUAL if origin.interval == Membership.Interval.YEAR else Frequency.MONTHLY
    key = {
        "day": local_day(started_at),
        "currency": currency,
        "settlement_currency": "",
        "frequency": frequency,
    }
    return attribution_keys(
        key=key,
        campaign=origin.campaign,
        origin=GiftOrigin(frequency, origin.source, origin.ref, origin.variant),
    )


def ends_early(*, started_at: datetime, ended_at: datetime) -> bool:
    """Ended before RETENTION_DAYS had passed since its start: not retained."""
    return ended_at < started_at + timedelta(days=RETENTION_DAYS)


def membership_event_add(*, event: MembershipEvent, member: MemberOrigin) -> None:
    """Move MRR (per membership) and the member count (per contributor) by what this event changed;
    a membership's first event makes it a new member of its attribution, an early end takes it off."""
    row, created = MembershipMrrState.objects.select_for_update().get_or_create(
        membership_id=event.membership_id,
        defaults={"currency": event.currency, "started_at": event.occurred_at},
    )
    _attribute_member(row=row, event=event, member=member, first=created)
    step = mrr_step(
        MrrState(row.counted_minor, row.paused, row.ended),
        kind=event.kind,
        monthly_amount_minor=event.monthly_amount_minor,
    )
    day = local_day(event.occurred_at)
    if step.delta or step.membership_change:
        _add(
            DailyMrrMovement,
            key={"day": day, "currency": event.currency, "movement": step.movement},
            amounts={"amount_minor": step.delta, "memberships": step.membership_change},
        )
    if step.membership_change:
        _member_count_move(
            kind=event.kind, contributor_id=member.contributor_id, day=day, change=step.membership_change
        )
    row.counted_minor, row.paused, row.ended = step.after.counted_minor, step.after.paused, step.after.ended
    row.last_event_id = event.pk
    row.save()


def _attribute_member(
    *, row: MembershipMrrState, event: MembershipEvent, member: MemberOrigin, first: bool
) -> None:
    amounts = dict.fromkeys(("gifts", "amount_minor", "settlement_amount_minor", "members_ended_early"), 0)
    if first:
        amounts["new_members"] = 1
    elif (
        event.kind == Kind.ENDED
        and not row.ended_early
        and row.started_at is not None
        and ends_early(started_at=row.started_at, ended_at=event.occurred_at)
    ):
        amounts["members_ended_early"], row.ended_early = 1, True
    else:
        return
    started_at = row.started_at or event.occurred_at
    for key in member_attribution_keys(started_at=started_at, currency=row.currency, origin=member):
        _add(DailyAttributionRollup, key=key, amounts=amounts)


def _member_count_move(*, kind: str, contributor_id: int, day: date, change: int) -> None:
    """A contributor is one member however many memberships count: move only on 0 <-> 1 and more."""
    member, _created = ContributorMemberState.objects.select_for_update().get_or_create(
        contributor_id=contributor_id
    )
    before = member.counted_memberships
    member.counted_memberships = before + change
    if (before == 0) != (member.counted_memberships == 0):
        _add(
            DailyMemberMovement,
            key={"day": day, "movement": member_movement_of(kind, ever_member=member.ever_member)},
            amounts={"members": change},
        )
        if member.cohort_month is None:
            member.cohort_month = day.replace(day=1)
            _add(CohortSize, key={"cohort_month": member.cohort_month}, amounts={"members": 1})
        _add(
            DailyCohortMovement,
            key={"cohort_month": member.cohort_month, "day": day},
            amounts={"members": change},
        )
    member.ever_member = member.ever_member or change > 0
    member.save()


def on_ledger_entry_saved(sender, instance: LedgerEntry, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        ledger_entry_add(entry=instance, origin=_origin_of(instance))


def on_membership_event_saved(
    sender, instance: MembershipEvent, created: bool, raw: bool = False, **kwargs
) -> None:
    if created and not raw:
        facts = Membership.objects.values_list(
            "contributor_id", "interval", "campaign", "source", "ref", "variant"
        )
        membership_event_add(event=instance, member=MemberOrigin(*facts.get(pk=instance.membership_id)))
