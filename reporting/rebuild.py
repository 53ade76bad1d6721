"""Recomputing every rollup from the base tables (`manage.py rebuild_rollups`, and after `seed_demo`).

It replays the ledger and the membership history through the same key and step functions as the
live path (`rollups.py`), summing in memory so a million rows need no round trip each, then writes
the rows with COPY on PostgreSQL.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction

from membership.models import MembershipEvent
from payments.models import Frequency, LedgerEntry
from reporting.bulk_insert import BulkTable, analyze
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
from reporting.rollups import (
    GiftOrigin,
    MemberOrigin,
    MrrState,
    attribution_keys,
    ends_early,
    ledger_rollup_key,
    local_day,
    member_attribution_keys,
    member_movement_of,
    mrr_step,
)

ROLLUP_MODELS = (
    CohortSize,
    DailyLedgerRollup,
    DailyAttributionRollup,
    DailyOneOffAmount,
    DailyMrrMovement,
    DailyMemberMovement,
    DailyCohortMovement,
    MembershipMrrState,
    ContributorMemberState,
)


@dataclass
class _Rebuilt:
    ledger: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0]))
    one_off: dict = field(default_factory=lambda: defaultdict(int))
    # gifts, amount, settlement amount, new members, members ended early
    attribution: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))
    mrr: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    members: dict = field(default_factory=lambda: defaultdict(int))
    cohorts: dict = field(default_factory=lambda: defaultdict(int))
    states: dict = field(default_factory=dict)
    contributors: dict = field(default_factory=dict)


def _rebuild_ledger(rebuilt: _Rebuilt, *, batch_size: int) -> int:
    rows = LedgerEntry.objects.order_by("id").values_list(
        "occurred_at",
        "currency",
        "kind",
        "campaign",
        "settlement_currency",
        "settlement_amount_minor",
        "amount_minor",
        "contribution__frequency",
        "contribution__source",
        "contribution__ref",
        "contribution__variant",
    )
    count = 0
    for (
        occurred_at,
        currency,
        kind,
        campaign,
        settlement_currency,
        settlement,
        amount,
        frequency,
        source,
        ref,
        variant,
    ) in rows.iterator(chunk_size=batch_size):
        key = ledger_rollup_key(
            occurred_at=occurred_at,
            currency=currency,
            kind=kind,
            frequency=frequency or "",
            settlement_currency=settlement_currency,
            settlement_amount_minor=settlement,
        )
        sums = rebuilt.ledger[tuple(key.values())]
        sums[0] += amount
        sums[1] += settlement if key["settlement_currency"] else 0
        sums[2] += 1
        if kind == LedgerEntry.Kind.CHARGE and frequency == Frequency.ONE_OFF:
            rebuilt.one_off[(key["day"], currency, amount)] += 1
        if kind == LedgerEntry.Kind.CHARGE:
            origin = GiftOrigin(frequency or "", source or "", ref or "", variant or "")
            for attribution in attribution_keys(key=key, campaign=campaign, origin=origin):
                sums = rebuilt.attribution[tuple(attribution.values())]
                sums[0] += 1
                sums[1] += amount
                sums[2] += settlement if key["settlement_currency"] else 0
        count += 1
    return count


def _rebuild_mrr(rebuilt: _Rebuilt, *, batch_size: int) -> int:
    rows = MembershipEvent.objects.order_by("id").values_list(
        "id",
        "membership_id",
        "membership__contributor_id",
        "kind",
        "occurred_at",
        "monthly_amount_minor",
        "currency",
        "membership__interval",
        "membership__campaign",
        "membership__source",
        "membership__ref",
        "membership__variant",
    )
    count = 0
    for (
        event_id,
        membership_id,
        contributor_id,
        kind,
        occurred_at,
        monthly,
        currency,
        *attribution,
    ) in rows.iterator(chunk_size=batch_size):
        first = membership_id not in rebuilt.states
        state, _currency, _last, started_at, ended_early = rebuilt.states.get(
            membership_id, (MrrState(), currency, 0, occurred_at, False)
        )
        member = MemberOrigin(contributor_id, *attribution)
        if first or (
            kind == MembershipEvent.Kind.ENDED
            and not ended_early
            and ends_early(started_at=started_at, ended_at=occurred_at)
        ):
            ended_early = not first
            for key in member_attribution_keys(started_at=started_at, currency=_currency, origin=member):
                rebuilt.attribution[tuple(key.values())][4 if ended_early else 3] += 1
        step = mrr_step(state, kind=kind, monthly_amount_minor=monthly)
        day = local_day(occurred_at)
        if step.delta or step.membership_change:
            sums = rebuilt.mrr[(day, currency, step.movement)]
            sums[0] += step.delta
            sums[1] += step.membership_change
        if step.membership_change:
            counted, ever, cohort = rebuilt.contributors.get(contributor_id, (0, False, None))
            after = counted + step.membership_change
            if (counted == 0) != (after == 0):
                movement = member_movement_of(kind, ever_member=ever)
                rebuilt.members[(day, movement)] += step.membership_change
                cohort = cohort or day.replace(day=1)
                rebuilt.cohorts[(cohort, day)] += step.membership_change
            rebuilt.contributors[contributor_id] = (after, ever or step.membership_change > 0, cohort)
        rebuilt.states[membership_id] = (step.after, _currency, event_id, started_at, ended_early)
        count += 1
    return count


def _lock_base_tables() -> None:
    """On PostgreSQL, writers of ledger entries and events wait until the rebuild commits."""
    if connection.vendor == "postgresql":
        tables = ", ".join(
            connection.ops.quote_name(m._meta.db_table) for m in (LedgerEntry, MembershipEvent)
        )
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {tables} IN SHARE MODE")


def rollups_rebuild(*, batch_size: int = 10000) -> dict[str, int]:
    """Recompute every rollup from the ledger and the membership history, in one transaction.

    The same key and step functions as the live path; events are replayed in the order they were
    written (by id), which is the order the live path saw them in.
    """
    rebuilt = _Rebuilt()
    with transaction.atomic():
        _lock_base_tables()
        counts = {
            "ledger_entries": _rebuild_ledger(rebuilt, batch_size=batch_size),
            "membership_events": _rebuild_mrr(rebuilt, batch_size=batch_size),
        }
        for model in ROLLUP_MODELS:
            model.objects.all().delete()
        _write_rebuilt(rebuilt)
        analyze(ROLLUP_MODELS)
    return counts


def _write_rebuilt(rebuilt: _Rebuilt) -> None:
    """Every rebuilt row, with COPY on PostgreSQL: a million-row ledger gives some 100,000 of them."""
    tables = {model: BulkTable(model) for model in ROLLUP_MODELS}
    ledger_names = ("day", "currency", "kind", "frequency", "settlement_currency")
    tables[DailyLedgerRollup].extend(
        {
            **dict(zip(ledger_names, key, strict=True)),
            "amount_minor": a,
            "settlement_amount_minor": s,
            "entries": n,
        }
        for key, (a, s, n) in rebuilt.ledger.items()
    )
    attribution_names = ("day", "currency", "settlement_currency", "frequency", "dimension", "value")
    tables[DailyAttributionRollup].extend(
        {
            **dict(zip(attribution_names, key, strict=True)),
            "gifts": n,
            "amount_minor": a,
            "settlement_amount_minor": s,
            "new_members": new,
            "members_ended_early": early,
        }
        for key, (n, a, s, new, early) in rebuilt.attribution.items()
    )
    tables[DailyOneOffAmount].extend(
        {"day": day, "currency": currency, "amount_minor": amount, "gifts": gifts}
        for (day, currency, amount), gifts in rebuilt.one_off.items()
    )
    tables[DailyMrrMovement].extend(
        {"day": day, "currency": currency, "movement": movement, "amount_minor": amount, "memberships": n}
        for (day, currency, movement), (amount, n) in rebuilt.mrr.items()
    )
    tables[DailyMemberMovement].extend(
        {"day": day, "movement": movement, "members": members}
        for (day, movement), members in rebuilt.members.items()
    )
    tables[DailyCohortMovement].extend(
        {"cohort_month": cohort, "day": day, "members": members}
        for (cohort, day), members in rebuilt.cohorts.items()
    )
    tables[MembershipMrrState].extend(
        {
            "membership_id": membership_id,
            "currency": currency,
            "counted_minor": state.counted_minor,
            "paused": state.paused,
            "ended": state.ended,
            "last_event_id": last,
            "started_at": started_at,
            "ended_early": ended_early,
        }
        for membership_id, (state, currency, last, started_at, ended_early) in rebuilt.states.items()
    )
    tables[ContributorMemberState].extend(
        {"contributor_id": cid, "counted_memberships": counted, "ever_member": ever, "cohort_month": cohort}
        for cid, (counted, ever, cohort) in rebuilt.contributors.items()
    )
    sizes: dict = defaultdict(int)
    for _counted, _ever, cohort in rebuilt.contributors.values():
        if cohort is not None:
            sizes[cohort] += 1
    tables[CohortSize].extend({"cohort_month": month, "members": n} for month, n in sizes.items())
    for table in tables.values():
        table.flush()
