"""Our lifecycle state beside Stripe's status, each membership's tier, and the history of every change.

Every change is found by comparing the membership before and after a write made under its row lock,
and appended once: each event has a `dedupe_key` naming the change (the invoice, the membership's
start or end, the Stripe event), so a replayed webhook, a late snapshot or a job run twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from membership.models import Membership, MembershipEvent, Tier, TierMinimum

Kind = MembershipEvent.Kind
State = Membership.State


@dataclass(frozen=True)
class Cause:
    """Who or what made a change: a Stripe event, the reader, a staff user or a scheduled job."""

    kind: str
    stripe_event_id: str = ""
    actor_id: int | None = None
    job: str = ""

    @classmethod
    def stripe(cls, event_id: str = "") -> Cause:
        return cls(kind=MembershipEvent.Cause.STRIPE, stripe_event_id=event_id)

    @classmethod
    def reader(cls, user_id: int | None = None) -> Cause:
        return cls(kind=MembershipEvent.Cause.READER, actor_id=user_id)

    @classmethod
    def staff(cls, user_id: int) -> Cause:
        return cls(kind=MembershipEvent.Cause.STAFF, actor_id=user_id)

    @classmethod
    def scheduled(cls, job: str) -> Cause:
        return cls(kind=MembershipEvent.Cause.JOB, job=job)


@dataclass(frozen=True)
class Before:
    """What a membership was before a write: the fields whose change is history."""

    state: str
    monthly_amount_minor: int
    interval: str
    cancel_at_period_end: bool

    @classmethod
    def of(cls, membership: Membership) -> Before:
        return cls(
            state=membership.state,
            monthly_amount_minor=membership.monthly_amount_minor,
            interval=membership.interval,
            cancel_at_period_end=membership.cancel_at_period_end,
        )


def lifecycle_state(*, stripe_status: str, cancel_at_period_end: bool, pause_requested: bool) -> str:
    """The one mapping of Stripe's subscription status onto our lifecycle state.

    `unpaid` keeps the benefits like `past_due`: our grace job, not Stripe's retry settings, ends a
    membership. A trial is how a pause is made in Stripe, so `trialing` is `paused` when we asked for it.
    """
    if stripe_status in {"canceled", "incomplete_expired"}:
        return State.ENDED
    if stripe_status == "incomplete":
        return State.PENDING
    if stripe_status in {"past_due", "unpaid"}:
        return State.PAST_DUE
    if stripe_status == "paused" or (stripe_status == "trialing" and pause_requested):
        return State.PAUSED
    if stripe_status in {"active", "trialing"}:
        return State.CANCELING if cancel_at_period_end else State.ACTIVE
    raise ValueError(f"unknown Stripe subscription status {stripe_status!r}")


def tier_for(*, currency: str, monthly_amount_minor: int) -> Tier | None:
    """The highest tier whose minimum in this currency the monthly-equivalent amount reaches."""
    minimum = (
        TierMinimum.objects.filter(currency=currency, monthly_minimum_minor__lte=monthly_amount_minor)
        .select_related("tier")
        .order_by("-tier__position")
        .first()
    )
    return minimum.tier if minimum else None


def event_append(
    *,
    membership: Membership,
    kind: str,
    occurred_at: datetime,
    cause: Cause,
    dedupe_key: str,
    before: Before | None = None,
    reason: str = "",
    reason_text: str = "",
    invoice_id: str = "",
) -> bool:
    """Append one event unless the change it names is recorded; returns whether it was appended."""
    _event, created = MembershipEvent.objects.get_or_create(
        dedupe_key=f"{membership.pk}:{dedupe_key}",
        defaults={
            "membership": membership,
            "kind": kind,
            "occurred_at": occurred_at,
            "cause": cause.kind,
            "stripe_event_id": cause.stripe_event_id,
            "actor_id": cause.actor_id,
            "job": cause.job,
            "monthly_amount_minor": membership.monthly_amount_minor,
            "currency": membership.currency,
            "interval": membership.interval,
            "previous_monthly_amount_minor": before.monthly_amount_minor if before else None,
            "previous_interval": before.interval if before else "",
            "reason": reason,
            "reason_text": reason_text,
            "stripe_invoice_id": invoice_id,
        },
    )
    return created


def _lapsed_member(membership: Membership) -> bool:
    """The contributor had a membership that ended and has no other one with benefits now."""
    others = Membership.objects.filter(contributor_id=membership.contributor_id).exclude(pk=membership.pk)
    return (
        others.filter(state=State.ENDED, events__kind__in=[Kind.STARTED, Kind.REACTIVATED]).exists()
        and not others.filter(state__in=(*Membership.LIVE_STATES, State.PAUSED)).exists()
    )


def lifecycle_fields_update(
    membership: Membership, *, subscription_created: datetime, ended_at: datetime | None, when: datetime
) -> None:
    """Our state, tier and lifecycle dates from the Stripe fields just copied onto the membership."""
    membership.state = lifecycle_state(
        stripe_status=membership.status,
        cancel_at_period_end=membership.cancel_at_period_end,
        pause_requested=bool(membership.paused_until and membership.paused_until > when),
    )
    if membership.state == State.ACTIVE and membership.started_at is None:
        membership.started_at = subscription_created
    if membership.state != State.PAST_DUE:
        membership.past_due_since = None
    elif membership.past_due_since is None:
        membership.past_due_since = when
    if membership.state == State.ENDED and membership.ended_at is None:
        membership.ended_at = ended_at or when
    membership.tier = tier_for(
        currency=membership.currency, monthly_amount_minor=membership.monthly_amount_minor
    )


def changes_record(
    *,
    membership: Membership,
    before: Before,
    occurred_at: datetime,
    cause: Cause,
    invoice_id: str = "",
    cancel_reason: str = "",
    cancel_reason_text: str = "",
) -> list[str]:
    """Append an event for each change between `before` and the membership as saved; the kinds appended.

    Called inside the transaction that wrote the membership, with its row locked. A membership that
    never started (its first payment never went through) has no history: it never ends, either.
    """
    appended: list[str] = []

    def append(kind: str, key: str, at: datetime | None = None, **extra) -> None:
        if event_append(
            membership=membership,
            kind=kind,
            occurred_at=at or occurred_at,
            cause=cause,
            dedupe_key=key,
            **extra,
        ):
            appended.append(kind)

    if before.state == State.PENDING:
        if membership.state not in {State.PENDING, State.ENDED}:
            kind = Kind.REACTIVATED if _lapsed_member(membership) else Kind.STARTED
            append(kind, "start", at=membership.started_at)
    elif before.state != State.ENDED:
        if membership.state == State.ENDED:
            append(Kind.ENDED, "end", at=membership.ended_at)
        else:
            ref = cause.stripe_event_id or occurred_at.isoformat()
            for kind, key, extra in _ongoing_changes(membership, before, ref=ref, invoice_id=invoice_id):
                if kind == Kind.CANCEL_REQUESTED:
                    extra = {"reason": cancel_reason, "reason_text": cancel_reason_text}
                append(kind, key, **extra)
    return appended


def _ongoing_changes(membership: Membership, before: Before, *, ref: str, invoice_id: str) -> list[tuple]:
    """(kind, dedupe key, extra fields) of each change of a membership that was and still is running."""
    state, was = membership.state, before.state
    changes: list[tuple] = []
    if membership.interval != before.interval:
        changes.append((Kind.INTERVAL_CHANGED, f"interval:{ref}", {"before": before}))
    elif membership.monthly_amount_minor != before.monthly_amount_minor:
        changes.append((Kind.AMOUNT_CHANGED, f"amount:{ref}", {"before": before}))
    paid_by = {"invoice_id": invoice_id}
    if state == State.PAST_DUE and was != State.PAST_DUE:
        changes.append((Kind.PAYMENT_FAILED, f"failed:{invoice_id or ref}", paid_by))
    if was == State.PAST_DUE and state != State.PAST_DUE:
        changes.append((Kind.RECOVERED, f"recovered:{invoice_id or ref}", paid_by))
    if state == State.PAUSED and was != State.PAUSED:
        changes.append((Kind.PAUSED, f"paused:{ref}", {}))
    if was == State.PAUSED and state != State.PAUSED:
        changes.append((Kind.RESUMED, f"resumed:{ref}", {}))
    if membership.cancel_at_period_end and not before.cancel_at_period_end:
        changes.append((Kind.CANCEL_REQUESTED, f"cancel:{ref}", {}))
    if before.cancel_at_period_end and not membership.cancel_at_period_end:
        changes.append((Kind.CANCEL_WITHDRAWN, f"uncancel:{ref}", {}))
    return changes


def renewal_record(*, membership: Membership, invoice_id: str, occurred_at: datetime, cause: Cause) -> bool:
    """A renewal invoice was paid: one `renewed` event per invoice, whichever path reported it."""
    return event_append(
        membership=membership,
        kind=Kind.RENEWED,
        occurred_at=occurred_at,
        cause=cause,
        dedupe_key=f"renewed:{invoice_id}",
        invoice_id=invoice_id,
    )
