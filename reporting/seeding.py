"""Realistic demo history for the dashboard and the benchmark, written in bulk.

Memberships in five currencies (monthly and annual) that start over the months, renew, change
amount, cancel, lapse and sometimes come back (reactivated); one-off gifts from a pool of readers,
with campaigns, some refunded a few weeks later and a few disputed; Stripe's fee and a settlement
amount in USD on every payment, as Stripe reports them. Deterministic for a given seed. Rows are
bulk-inserted (COPY on PostgreSQL, no signals), then the rollups are rebuilt from them once.
"""

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from django.db import transaction
from django.utils import timezone

from membership.models import Membership, MembershipEvent, monthly_equivalent
from membership.tiers import tiers_reassign
from payments.models import Contribution, Contributor, Frequency, LedgerEntry
from payments.money import minor_unit_exponent
from reporting.bulk_insert import BulkTable, analyze
from reporting.models import ExchangeRate
from reporting.periods import add_months
from reporting.rebuild import ROLLUP_MODELS, rollups_rebuild

SEED_EMAIL_DOMAIN = "seed.example"
CURRENCIES = [("USD", 45), ("EUR", 20), ("UAH", 20), ("GBP", 10), ("JPY", 5)]
USD_PER_UNIT = {"USD": 1.0, "EUR": 1.08, "GBP": 1.27, "UAH": 0.024, "JPY": 0.0066}
MONTHLY_AMOUNTS = {
    "USD": [500, 1000, 1000, 1500, 2500, 5000],
    "EUR": [500, 1000, 1000, 2000, 5000],
    "GBP": [500, 1000, 1000, 2000, 4000],
    "UAH": [10000, 20000, 20000, 50000, 100000],
    "JPY": [500, 1000, 1000, 3000, 5000],
}
ONE_OFF_AMOUNTS = {
    code: [a * 2 for a in amounts] + [a * 5 for a in amounts[:3]] for code, amounts in MONTHLY_AMOUNTS.items()
}
CAMPAIGNS = ["", "", "", "spring-appeal", "year-end", "frontline-reporting", "newsletter"]
SOURCES = ["banner", "article", "newsletter", "direct"]
FIRST_NAMES = [
    "Olena",
    "Taras",
    "Iryna",
    "Andrii",
    "Sofiia",
    "Maksym",
    "Anna",
    "John",
    "Maria",
    "David",
    "Emma",
]
LAST_NAMES = [
    "Kovalenko",
    "Shevchenko",
    "Bondarenko",
    "Melnyk",
    "Smith",
    "Brown",
    "Müller",
    "Garcia",
    "Tkachenko",
]
ARTICLES = [
    "https://news.example/2026/frontline-kharkiv",
    "https://news.example/2026/energy-winter",
    "https://news.example/2026/investigation-procurement",
    "https://news.example/2026/refugees-return",
]
MONTHLY_CHURN = 0.035
ANNUAL_SHARE = 0.15
CHUNK = 2000


@dataclass
class SeedCounts:
    members: int = 0
    memberships: int = 0
    contributions: int = 0
    ledger_entries: int = 0
    events: int = 0


@cache
def _usd_per_minor_unit(currency: str) -> float:
    return USD_PER_UNIT[currency] / 10 ** minor_unit_exponent(currency)


def _settle(amount: int, currency: str) -> int:
    return round(amount * _usd_per_minor_unit(currency) * 100)


def _fee(settled: int) -> int:
    return round(settled * 0.029) + 30


@dataclass
class _Timeline:
    now: datetime
    first: date
    span: float  # seconds from the first day to now
    member_skew: float = 0.8  # above 1 puts memberships' starts nearer now (fewer renewals each)

    def moment(self, rng: random.Random, skew: float = 1.0) -> datetime:
        """A moment in the timeline; a skew above 1 puts more of them nearer now (a growing newsroom)."""
        return self.now - timedelta(seconds=rng.random() ** skew * self.span)


class _Writer:
    """One chunk of rows per table, with their ids chosen before they are written."""

    def __init__(self, counts: SeedCounts, rng: random.Random, now: datetime) -> None:
        self.counts, self.rng, self.now = counts, rng, now
        self.contributors = BulkTable(Contributor)
        self.memberships = BulkTable(Membership)
        self.contributions = BulkTable(Contribution)
        self.entries = BulkTable(LedgerEntry)
        self.events = BulkTable(MembershipEvent)
        self._ids: dict[str, list[int]] = {}

    def next_id(self, table: BulkTable, name: str) -> int:
        pool = self._ids.setdefault(name, [])
        if not pool:
            pool.extend(reversed(table.reserve_ids(5000)))
        return pool.pop()

    def contributor(self, serial: int) -> int:
        pk = self.next_id(self.contributors, "contributors")
        name = f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"
        self.contributors.add(
            id=pk, email=f"reader{serial}@{SEED_EMAIL_DOMAIN}", name=name, created_at=self.now
        )
        return pk

    def event(self, membership: dict, kind: str, on: datetime, key: str, monthly: int, **extra) -> None:
        self.events.add(
            id=self.next_id(self.events, "events"),
            membership_id=membership["id"],
            kind=kind,
            occurred_at=on,
            recorded_at=on,
            cause=MembershipEvent.Cause.BACKFILL,
            monthly_amount_minor=monthly,
            currency=membership["currency"],
            interval=membership["interval"],
            dedupe_key=f"{membership['id']}:seed:{key}",
            **extra,
        )

    def payment(self, *, on: datetime, **fields) -> None:
        """A paid contribution with its charge and fee entries; some refunded or disputed later."""
        pk = self.next_id(self.contributions, "contributions")
        self.contributions.add(
            id=pk,
            public_id=uuid.uuid4(),
            status=Contribution.Status.SUCCEEDED,
            succeeded_at=on,
            created_at=on,
            updated_at=on,
            **fields,
        )
        amount, currency = fields["amount_minor"], fields["currency"]
        settled = _settle(amount, currency)
        links = {
            "contribution_id": pk,
            "contributor_id": fields["contributor_id"],
            "membership_id": fields.get("membership_id"),
            "campaign": fields.get("campaign", ""),
            "recorded_at": on,
        }
        self._entry(LedgerEntry.Kind.CHARGE, f"ch_seed_{pk}", amount, currency, settled, on, links)
        self._entry(LedgerEntry.Kind.FEE, f"txn_seed_{pk}", -_fee(settled), "USD", -_fee(settled), on, links)
        draw = self.rng.random()
        if fields["frequency"] == Frequency.ONE_OFF and draw < 0.015:
            part = amount if draw < 0.01 else amount // 2
            later = min(on + timedelta(days=self.rng.randint(1, 40)), self.now)
            self._entry(
                LedgerEntry.Kind.REFUND,
                f"re_seed_{pk}",
                -part,
                currency,
                -_settle(part, currency),
                later,
                links,
            )
        elif draw > 0.998:
            later = min(on + timedelta(days=self.rng.randint(10, 60)), self.now)
            self._entry(LedgerEntry.Kind.DISPUTE, f"dp_seed_{pk}", -amount, currency, -settled, later, links)

    def _entry(self, kind, object_id, amount, currency, settled, on, links) -> None:
        self.entries.add(
            id=self.next_id(self.entries, "entries"),
            kind=kind,
            stripe_object_id=object_id,
            amount_minor=amount,
            currency=currency,
            settlement_amount_minor=settled,
            settlement_currency="USD",
            occurred_at=on,
            **links,
        )

    def flush(self) -> None:
        with transaction.atomic():
            self.contributors.flush()
            self.counts.memberships += self.memberships.flush()
            self.counts.contributions += self.contributions.flush()
            self.counts.ledger_entries += self.entries.flush()
            self.counts.events += self.events.flush()


def _weighted_currency(rng: random.Random) -> str:
    return rng.choices([c for c, _w in CURRENCIES], weights=[w for _c, w in CURRENCIES])[0]


def _attribution(rng: random.Random) -> dict:
    ref = rng.choice(ARTICLES) if rng.random() < 0.4 else ""
    return {"campaign": rng.choice(CAMPAIGNS), "source": rng.choice(SOURCES), "ref": ref}


def _membership_life(*, writer: _Writer, membership: dict, first_kind: str) -> datetime | None:
    """Payments and events of one membership from its start; returns when it ended (None: still live)."""
    rng, now = writer.rng, writer.now
    annual = membership["interval"] == Membership.Interval.YEAR
    step = 12 if annual else 1
    paid, index, amount = membership["started_at"], 0, membership["amount_minor"]
    monthly = monthly_equivalent(amount, membership["interval"])
    writer.event(membership, first_kind, paid, "start", monthly)
    while paid <= now:
        writer.payment(
            on=paid,
            contributor_id=membership["contributor_id"],
            membership_id=membership["id"],
            frequency=Frequency.ANNUAL if annual else Frequency.MONTHLY,
            amount_minor=amount,
            currency=membership["currency"],
            campaign=membership["campaign"],
            source=membership["source"],
            ref=membership["ref"],
        )
        if index:
            writer.event(membership, MembershipEvent.Kind.RENEWED, paid, f"renew:{index}", monthly)
        if rng.random() < 1 - (1 - MONTHLY_CHURN) ** step:
            ended = paid + timedelta(days=30 * step - 1)
            writer.event(
                membership, MembershipEvent.Kind.CANCEL_REQUESTED, paid + timedelta(days=3), "cancel", monthly
            )
            if ended > now:
                membership.update(state=Membership.State.CANCELING, cancel_at_period_end=True)
                break
            writer.event(membership, MembershipEvent.Kind.ENDED, ended, "end", monthly)
            membership.update(state=Membership.State.ENDED, ended_at=ended, status=Membership.Status.CANCELED)
            membership["amount_minor"] = amount
            return ended
        if not annual and rng.random() < 0.01:
            new_amount = rng.choice(MONTHLY_AMOUNTS[membership["currency"]])
            if new_amount != amount:
                writer.event(
                    membership,
                    MembershipEvent.Kind.AMOUNT_CHANGED,
                    paid + timedelta(days=5),
                    f"amount:{index}",
                    new_amount,
                    previous_monthly_amount_minor=monthly,
                    previous_interval=membership["interval"],
                )
                amount, monthly = new_amount, new_amount
        paid += timedelta(days=30 * step)
        index += 1
    membership["amount_minor"] = amount
    membership["current_period_end"] = paid
    return None


def _seed_person(*, writer: _Writer, serial: int, timeline: _Timeline) -> None:
    """One member: a first membership and, after a lapse, sometimes another (reactivated)."""
    rng = writer.rng
    person = writer.contributor(serial)
    currency = _weighted_currency(rng)
    annual = rng.random() < ANNUAL_SHARE
    monthly_amount = rng.choice(MONTHLY_AMOUNTS[currency])
    start, kind = timeline.moment(rng, skew=timeline.member_skew), MembershipEvent.Kind.STARTED
    while start < timeline.now:
        membership = {
            "id": writer.next_id(writer.memberships, "memberships"),
            "contributor_id": person,
            "status": Membership.Status.ACTIVE,
            "state": Membership.State.ACTIVE,
            "interval": Membership.Interval.YEAR if annual else Membership.Interval.MONTH,
            "amount_minor": monthly_amount * (10 if annual else 1),
            "currency": currency,
            "started_at": start,
            "created_at": start,
            "updated_at": timeline.now,
            **_attribution(rng),
        }
        ended = _membership_life(writer=writer, membership=membership, first_kind=kind)
        writer.memberships.add(**membership)
        if ended is None or rng.random() >= 0.2:
            return
        start, kind = ended + timedelta(days=rng.randint(20, 200)), MembershipEvent.Kind.REACTIVATED


def seed_history(
    *,
    members: int,
    contributions: int,
    months: int,
    seed: int = 13,
    progress: Callable[[int, int], None] | None = None,
) -> SeedCounts:
    """Write `members` members' histories and one-off gifts up to `contributions` payments in all."""
    rng = random.Random(seed)
    now = timezone.now()
    first = add_months(now.date(), -(months - 1))
    span = (now - datetime.combine(first, time.min, tzinfo=now.tzinfo)).total_seconds()
    # About 60% of the payments are memberships' and the rest one-off gifts: the fewer payments per
    # member asked for, the more recent the memberships' starts (months / (skew + 1) months each).
    per_member = max(0.6 * contributions / max(members, 1), 1)
    timeline = _Timeline(now, first, span, member_skew=min(max(months / per_member - 1, 0.5), 40))
    counts = SeedCounts()
    writer = _Writer(counts, rng, now)
    serial = Contributor.objects.filter(email__endswith=f"@{SEED_EMAIL_DOMAIN}").count()
    report = progress or (lambda done, total: None)
    total = members + contributions
    for index in range(members):
        _seed_person(writer=writer, serial=serial + index, timeline=timeline)
        if index % CHUNK == CHUNK - 1:
            writer.flush()
            report(index + 1 + counts.contributions, total)
    writer.flush()
    counts.members = members
    one_offs = max(contributions - counts.contributions, 0)
    donors = [writer.contributor(serial + members + n) for n in range(max(one_offs // 3, 1))]
    for index in range(one_offs):
        currency = _weighted_currency(rng)
        writer.payment(
            on=timeline.moment(rng),
            contributor_id=rng.choice(donors),
            frequency=Frequency.ONE_OFF,
            amount_minor=rng.choice(ONE_OFF_AMOUNTS[currency]),
            currency=currency,
            **_attribution(rng),
        )
        if index % (CHUNK * 10) == CHUNK * 10 - 1:
            writer.flush()
            report(members + counts.contributions, total)
    writer.flush()
    _seed_rates(first=first, today=now.date())
    tiers_reassign()
    analyze([Contributor, Membership, Contribution, LedgerEntry, MembershipEvent, ExchangeRate])
    rollups_rebuild()
    analyze(ROLLUP_MODELS)
    report(total, total)
    return counts


def _seed_rates(*, first, today) -> None:
    """A daily rate for each currency to USD (staff would upload these), for unsettled amounts."""
    day, rows = first, []
    while day <= today:
        rows.extend(
            ExchangeRate(day=day, currency=code, quote_currency="USD", rate=str(rate))
            for code, rate in USD_PER_UNIT.items()
            if code != "USD"
        )
        day += timedelta(days=1)
    ExchangeRate.objects.bulk_create(rows, ignore_conflicts=True, batch_size=5000)
