"""Realistic demo history for the dashboard and the benchmark, written in bulk.

Memberships in five currencies (monthly and annual) that start over the months, renew, change
amount, cancel, lapse and sometimes come back (reactivated); one-off gifts from a pool of readers,
with campaigns, some refunded a few weeks later and a few disputed; Stripe's fee and a settlement
amount in USD on every payment, as Stripe reports them. Deterministic for a given seed. Rows are
bulk-inserted (no signals), then the rollups are rebuilt from them once.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from membership.models import Membership, MembershipEvent, monthly_equivalent
from membership.tiers import tiers_reassign
from payments.models import Contribution, Contributor, Frequency, LedgerEntry
from payments.money import minor_unit_exponent
from reporting.models import ExchangeRate
from reporting.periods import add_months
from reporting.rollups import rollups_rebuild

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


def _settle(amount: int, currency: str) -> int:
    usd = amount / 10 ** minor_unit_exponent(currency) * USD_PER_UNIT[currency]
    return round(usd * 100)


def _fee(settled: int) -> int:
    return round(settled * 0.029) + 30


class _Writer:
    """Buffers rows of one chunk; contributions first (their ids), then entries and events."""

    def __init__(self, counts: SeedCounts, rng: random.Random) -> None:
        self.counts, self.rng = counts, rng
        self.payments: list[tuple[Contribution, datetime]] = []
        self.memberships: list[Membership] = []
        self.events: list[MembershipEvent] = []
        self.serial = 0

    def payment(self, contribution: Contribution, on: datetime) -> None:
        self.payments.append((contribution, on))

    def flush(self) -> None:
        Membership.objects.bulk_create(self.memberships, batch_size=5000)
        for event in self.events:  # the key names the membership, whose id is known only now
            event.dedupe_key = f"{event.membership.pk}:seed:{event.dedupe_key}"
        Contribution.objects.bulk_create([c for c, _on in self.payments], batch_size=5000)
        entries: list[LedgerEntry] = []
        for contribution, on in self.payments:
            entries.extend(self._entries(contribution, on))
        LedgerEntry.objects.bulk_create(entries, batch_size=5000)
        MembershipEvent.objects.bulk_create(self.events, batch_size=5000)
        self.counts.contributions += len(self.payments)
        self.counts.ledger_entries += len(entries)
        self.counts.events += len(self.events)
        self.payments, self.events, self.memberships = [], [], []

    def _entries(self, contribution: Contribution, on: datetime) -> list[LedgerEntry]:
        self.serial += 1
        settled = _settle(contribution.amount_minor, contribution.currency)
        links = {
            "contribution": contribution,
            "contributor_id": contribution.contributor_id,
            "membership_id": contribution.membership_id,
            "campaign": contribution.campaign,
        }
        charge_id = f"ch_seed_{contribution.pk}"
        entries = [
            LedgerEntry(
                kind=LedgerEntry.Kind.CHARGE,
                stripe_object_id=charge_id,
                amount_minor=contribution.amount_minor,
                currency=contribution.currency,
                settlement_amount_minor=settled,
                settlement_currency="USD",
                occurred_at=on,
                **links,
            ),
            LedgerEntry(
                kind=LedgerEntry.Kind.FEE,
                stripe_object_id=f"txn_seed_{contribution.pk}",
                amount_minor=-_fee(settled),
                currency="USD",
                settlement_amount_minor=-_fee(settled),
                settlement_currency="USD",
                occurred_at=on,
                **links,
            ),
        ]
        draw = self.rng.random()
        if contribution.frequency == Frequency.ONE_OFF and draw < 0.015:
            part = contribution.amount_minor if draw < 0.01 else contribution.amount_minor // 2
            later = min(on + timedelta(days=self.rng.randint(1, 40)), timezone.now())
            entries.append(
                LedgerEntry(
                    kind=LedgerEntry.Kind.REFUND,
                    stripe_object_id=f"re_seed_{contribution.pk}",
                    amount_minor=-part,
                    currency=contribution.currency,
                    settlement_amount_minor=-_settle(part, contribution.currency),
                    settlement_currency="USD",
                    occurred_at=later,
                    **links,
                )
            )
        elif draw > 0.998:
            later = min(on + timedelta(days=self.rng.randint(10, 60)), timezone.now())
            entries.append(
                LedgerEntry(
                    kind=LedgerEntry.Kind.DISPUTE,
                    stripe_object_id=f"dp_seed_{contribution.pk}",
                    amount_minor=-contribution.amount_minor,
                    currency=contribution.currency,
                    settlement_amount_minor=-settled,
                    settlement_currency="USD",
                    occurred_at=later,
                    **links,
                )
            )
        return entries


def _contributor(n: int, rng: random.Random) -> Contributor:
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    return Contributor(email=f"reader{n}@{SEED_EMAIL_DOMAIN}", name=name)


def _event(membership: Membership, kind: str, on: datetime, key: str, **extra) -> MembershipEvent:
    return MembershipEvent(
        membership=membership,
        kind=kind,
        occurred_at=on,
        cause=MembershipEvent.Cause.BACKFILL,
        monthly_amount_minor=extra.pop("monthly", membership.monthly_amount_minor),
        currency=membership.currency,
        interval=membership.interval,
        dedupe_key=key,
        **extra,
    )


def _weighted_currency(rng: random.Random) -> str:
    return rng.choices([c for c, _w in CURRENCIES], weights=[w for _c, w in CURRENCIES])[0]


def _attribution(rng: random.Random) -> dict:
    ref = rng.choice(ARTICLES) if rng.random() < 0.4 else ""
    return {"campaign": rng.choice(CAMPAIGNS), "source": rng.choice(SOURCES), "ref": ref}


def _membership_life(
    *,
    writer: _Writer,
    membership: Membership,
    start: datetime,
    now: datetime,
    first_kind: str,
    rng: random.Random,
) -> datetime | None:
    """Payments and events of one membership from `start`; returns when it ended (None: still live)."""
    step = 12 if membership.interval == Membership.Interval.YEAR else 1
    frequency = Frequency.ANNUAL if step == 12 else Frequency.MONTHLY
    writer.events.append(_event(membership, first_kind, start, "start"))
    paid, index, amount = start, 0, membership.amount_minor
    while paid <= now:
        writer.payment(
            Contribution(
                contributor_id=membership.contributor_id,
                membership=membership,
                frequency=frequency,
                amount_minor=amount,
                currency=membership.currency,
                status=Contribution.Status.SUCCEEDED,
                succeeded_at=paid,
                campaign=membership.campaign,
                source=membership.source,
            ),
            paid,
        )
        if index:
            writer.events.append(
                _event(
                    membership,
                    MembershipEvent.Kind.RENEWED,
                    paid,
                    f"renew:{index}",
                    monthly=monthly_equivalent(amount, membership.interval),
                )
            )
        churn = 1 - (1 - MONTHLY_CHURN) ** step
        if rng.random() < churn:
            ended = paid + timedelta(days=30 * step - 1)
            if ended > now:
                membership.state, membership.cancel_at_period_end = Membership.State.CANCELING, True
                writer.events.append(
                    _event(
                        membership,
                        MembershipEvent.Kind.CANCEL_REQUESTED,
                        paid + timedelta(days=3),
                        "cancel",
                        monthly=monthly_equivalent(amount, membership.interval),
                    )
                )
                return None
            writer.events.append(
                _event(
                    membership,
                    MembershipEvent.Kind.CANCEL_REQUESTED,
                    paid + timedelta(days=3),
                    "cancel",
                    monthly=monthly_equivalent(amount, membership.interval),
                )
            )
            writer.events.append(
                _event(
                    membership,
                    MembershipEvent.Kind.ENDED,
                    ended,
                    "end",
                    monthly=monthly_equivalent(amount, membership.interval),
                )
            )
            membership.state, membership.ended_at = Membership.State.ENDED, ended
            return ended
        if step == 1 and rng.random() < 0.01:
            before = monthly_equivalent(amount, membership.interval)
            amount = rng.choice(MONTHLY_AMOUNTS[membership.currency])
            if amount != membership.amount_minor:
                writer.events.append(
                    _event(
                        membership,
                        MembershipEvent.Kind.AMOUNT_CHANGED,
                        paid + timedelta(days=5),
                        f"amount:{index}",
                        monthly=amount,
                        previous_monthly_amount_minor=before,
                        previous_interval=membership.interval,
                    )
                )
        paid = paid + timedelta(days=30 * step)
        index += 1
    membership.amount_minor = amount
    return None


@dataclass
class _Timeline:
    now: datetime
    first: date
    span: float  # seconds from the first day to now
    member_skew: float = 0.8  # > 1 puts memberships' starts nearer now (fewer renewals each)

    def moment(self, rng: random.Random, skew: float = 1.0) -> datetime:
        """A moment in the timeline; a skew above 1 puts more of them nearer now (a growing newsroom)."""
        return self.now - timedelta(seconds=rng.random() ** skew * self.span)


def _seed_person_memberships(
    *, person: Contributor, writer: _Writer, timeline: _Timeline, counts: SeedCounts, rng: random.Random
) -> None:
    """One member's memberships: the first, and after a lapse sometimes another (reactivated)."""
    currency = _weighted_currency(rng)
    annual = rng.random() < ANNUAL_SHARE
    monthly_amount = rng.choice(MONTHLY_AMOUNTS[currency])
    start, kind = timeline.moment(rng, skew=timeline.member_skew), MembershipEvent.Kind.STARTED
    while start < timeline.now:
        membership = Membership(
            contributor=person,
            status=Membership.Status.ACTIVE,
            state=Membership.State.ACTIVE,
            interval=Membership.Interval.YEAR if annual else Membership.Interval.MONTH,
            amount_minor=monthly_amount * (10 if annual else 1),
            currency=currency,
            started_at=start,
            **_attribution(rng),
        )
        counts.memberships += 1
        ended = _membership_life(
            writer=writer, membership=membership, start=start, now=timeline.now, first_kind=kind, rng=rng
        )
        writer.memberships.append(membership)
        if ended is None or rng.random() >= 0.2:
            return
        start, kind = ended + timedelta(days=rng.randint(20, 200)), MembershipEvent.Kind.REACTIVATED


def _seed_donors(*, count: int, serial: int, rng: random.Random) -> list[int]:
    donor_ids: list[int] = []
    for chunk_start in range(0, count, CHUNK * 5):
        size = min(CHUNK * 5, count - chunk_start)
        created = Contributor.objects.bulk_create(
            [_contributor(serial + chunk_start + i, rng) for i in range(size)], batch_size=5000
        )
        donor_ids.extend(c.pk for c in created)
    return donor_ids


def _one_off(
    *, donor_ids: list[int], timeline: _Timeline, rng: random.Random
) -> tuple[Contribution, datetime]:
    currency = _weighted_currency(rng)
    on = timeline.moment(rng)
    contribution = Contribution(
        contributor_id=rng.choice(donor_ids),
        frequency=Frequency.ONE_OFF,
        amount_minor=rng.choice(ONE_OFF_AMOUNTS[currency]),
        currency=currency,
        status=Contribution.Status.SUCCEEDED,
        succeeded_at=on,
        **_attribution(rng),
    )
    return contribution, on


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
    writer = _Writer(counts, rng)
    serial = Contributor.objects.filter(email__endswith=f"@{SEED_EMAIL_DOMAIN}").count()
    report = progress or (lambda done, total: None)
    total_steps = members + contributions
    for chunk_start in range(0, members, CHUNK):
        size = min(CHUNK, members - chunk_start)
        with transaction.atomic():
            people = Contributor.objects.bulk_create([_contributor(serial + i, rng) for i in range(size)])
            serial += size
            for person in people:
                _seed_person_memberships(
                    person=person, writer=writer, timeline=timeline, counts=counts, rng=rng
                )
            writer.flush()
        counts.members += size
        report(chunk_start + size, total_steps)
    one_offs = max(contributions - counts.contributions, 0)
    donor_ids = _seed_donors(count=max(one_offs // 3, 1), serial=serial, rng=rng)
    for chunk_start in range(0, one_offs, CHUNK * 10):
        size = min(CHUNK * 10, one_offs - chunk_start)
        with transaction.atomic():
            for _ in range(size):
                writer.payment(*_one_off(donor_ids=donor_ids, timeline=timeline, rng=rng))
            writer.flush()
        report(members + counts.contributions, total_steps)
    _seed_rates(first=first, today=now.date())
    tiers_reassign()
    rollups_rebuild()
    report(total_steps, total_steps)
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
