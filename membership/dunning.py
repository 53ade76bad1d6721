"""Dunning and reminders: which memberships are due for which email, each sent once per occasion, and
the end of a grace period that ran out.

Every occasion is a row of MembershipNotice (unique per membership, kind and occasion), so a job run
twice, late or on two workers at once finds the same rows and `send_once` lets one worker send each.
Whether a notice is due is a window in time: it opens some days before the thing it warns about and
closes when that thing happens, so a job that was down sends it late but never after the fact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError
from django.db.models import Q, QuerySet

from accounts.emails import send_once
from membership import notices, services
from membership.lifecycle import Cause
from membership.models import Membership, MembershipEvent, MembershipNotice
from payments import gateway
from payments.models import Contribution

logger = logging.getLogger(__name__)

Kind = MembershipNotice.Kind
State = Membership.State
GRACE_EXPIRY_JOB = "grace-expiry"
# Who still renews and so needs a card that works: not canceling, ended, paused or not yet started.
CARD_STATES = (State.ACTIVE, State.PAST_DUE)


def grace_ends_at(membership: Membership) -> datetime | None:
    """When a past-due membership loses its benefits: MEMBERSHIP_GRACE_DAYS after the renewal failed."""
    if membership.past_due_since is None:
        return None
    return membership.past_due_since + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)


def card_expires_at(*, exp_month: int, exp_year: int) -> datetime:
    """The first moment (UTC) after the card's expiry month: a card is good through its month."""
    year, month = (exp_year + 1, 1) if exp_month == 12 else (exp_year, exp_month + 1)
    return datetime(year, month, 1, tzinfo=UTC)


def card_occasion(membership: Membership) -> str:
    """The card a reminder is about ("visa 4242 2030-12"): a new card, or the same one renewed, is another."""
    return (
        f"{membership.card_brand} {membership.card_last4} "
        f"{membership.card_exp_year:04d}-{membership.card_exp_month:02d}"
    )


# Selectors: which memberships are due for each kind of email, with the occasion of each.

Due = list[tuple[Membership, str]]


def payment_failed_due(*, now: datetime, memberships: QuerySet[Membership] | None = None) -> Due:
    """Past-due memberships not yet told since they fell behind (or whose email is still unsent).

    The webhook queues this email at once; this is the safety net for a task lost on the way. The
    occasion is the failed invoice the history recorded, as the webhook's is.
    """
    rows = (memberships if memberships is not None else Membership.objects.all()).filter(
        state=State.PAST_DUE, past_due_since__isnull=False, past_due_since__lte=now
    )
    due: Due = []
    for membership in rows:
        told = membership.notices.filter(kind=Kind.PAYMENT_FAILED, created_at__gte=membership.past_due_since)
        if told.exists():
            due.extend(
                (membership, occasion)
                for occasion in told.filter(sent_at=None).values_list("occasion", flat=True)
            )
            continue
        failure = (
            membership.events.filter(kind=MembershipEvent.Kind.PAYMENT_FAILED)
            .exclude(stripe_invoice_id="")
            .order_by("-occurred_at", "-pk")
            .first()
        )
        occasion = failure.stripe_invoice_id if failure else f"past-due {membership.past_due_since:%Y-%m-%d}"
        due.append((membership, occasion))
    return due


def grace_ending_due(*, now: datetime, memberships: QuerySet[Membership] | None = None) -> Due:
    """Past due for long enough that the grace period ends within MEMBERSHIP_GRACE_REMINDER_DAYS."""
    grace = timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    before = timedelta(days=settings.MEMBERSHIP_GRACE_REMINDER_DAYS)
    rows = (memberships if memberships is not None else Membership.objects.all()).filter(
        state=State.PAST_DUE, past_due_since__lte=now - grace + before, past_due_since__gt=now - grace
    )
    return [(m, m.past_due_since.date().isoformat()) for m in rows if m.past_due_since]


def card_expiring_due(*, now: datetime, memberships: QuerySet[Membership] | None = None) -> Due:
    """Renewing memberships whose card expires within MEMBERSHIP_CARD_EXPIRY_NOTICE_DAYS and has not yet."""
    notice = timedelta(days=settings.MEMBERSHIP_CARD_EXPIRY_NOTICE_DAYS)
    months = Q(pk__in=[])
    year, month = now.year, now.month
    # Every month whose end falls in (now, now + notice]: a few at most, starting with this one.
    while card_expires_at(exp_month=month, exp_year=year) - notice <= now:
        months |= Q(card_exp_year=year, card_exp_month=month)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    rows = (
        (memberships if memberships is not None else Membership.objects.all())
        .filter(months, state__in=CARD_STATES)
        .exclude(card_last4="")
        .exclude(contributor__user__email_reminders=False)  # the reader turned reminders off
    )
    return [(m, card_occasion(m)) for m in rows]


def renewal_notice_due(*, now: datetime, memberships: QuerySet[Membership] | None = None) -> Due:
    """Annual memberships that renew within MEMBERSHIP_RENEWAL_NOTICE_DAYS (and will: not canceling)."""
    rows = (memberships if memberships is not None else Membership.objects.all()).filter(
        interval=Membership.Interval.YEAR,
        state=State.ACTIVE,
        cancel_at_period_end=False,
        current_period_end__gt=now,
        current_period_end__lte=now + timedelta(days=settings.MEMBERSHIP_RENEWAL_NOTICE_DAYS),
    )
    return [(m, m.current_period_end.date().isoformat()) for m in rows if m.current_period_end]


SCHEDULED: dict[str, Callable[..., Due]] = {
    Kind.PAYMENT_FAILED: payment_failed_due,
    Kind.GRACE_ENDING: grace_ending_due,
    Kind.CARD_EXPIRING: card_expiring_due,
    Kind.RENEWAL_NOTICE: renewal_notice_due,
}


def notice_is_due(notice: MembershipNotice, *, now: datetime) -> bool:
    """Whether the email still says something true now: checked again just before sending.

    A renewal-failed email is due while the membership is past due (the safety net's selector leaves
    out memberships already told, this one among them); the others while their window is open.
    """
    memberships = Membership.objects.filter(pk=notice.membership_id)
    if notice.kind == Kind.PAYMENT_FAILED:
        return memberships.filter(state=State.PAST_DUE).exists()
    return any(
        occasion == notice.occasion
        for _m, occasion in SCHEDULED[notice.kind](now=now, memberships=memberships)
    )


def grace_expired(*, now: datetime) -> list[int]:
    """Ids of past-due memberships whose grace period is over: they are to end."""
    since = now - timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
    return list(
        Membership.objects.filter(state=State.PAST_DUE, past_due_since__lte=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Services.


def notice_for(*, membership_id: int, kind: str, occasion: str) -> MembershipNotice:
    """The one notice row of this occasion; two workers creating it at once end with the same row."""
    try:
        notice, _created = MembershipNotice.objects.get_or_create(
            membership_id=membership_id, kind=kind, occasion=occasion
        )
    except IntegrityError:  # the other worker's insert won between our read and our write
        notice = MembershipNotice.objects.get(membership_id=membership_id, kind=kind, occasion=occasion)
    return notice


def notices_due(*, now: datetime, kinds: Iterable[str] = tuple(SCHEDULED)) -> list[int]:
    """Ids of the notices due now and not sent yet, one row per occasion (created if new)."""
    ids = []
    for kind in kinds:
        for membership, occasion in SCHEDULED[kind](now=now):
            notice = notice_for(membership_id=membership.pk, kind=kind, occasion=occasion)
            if notice.sent_at is None:
                ids.append(notice.pk)
    return ids


def notice_send(*, notice_id: int, now: datetime) -> bool:
    """Send the notice's email once, if it is still due; returns whether this call sent it.

    EmailInFlightError (from send_once) while another worker holds it: the task tries again later.
    """
    notice = MembershipNotice.objects.get(pk=notice_id)
    if notice.sent_at is not None or not notice_is_due(notice, now=now):
        return False
    return send_once(
        rows=MembershipNotice.objects.filter(pk=notice_id),
        claim_field="claimed_at",
        sent_field="sent_at",
        send=lambda: notices.notice_email_send(notice_id=notice_id),
    )


def payment_failed_notice(*, membership_id: int, invoice_id: str) -> int:
    """The renewal-failed notice of one failed invoice (the webhook's path); its id, to send."""
    return notice_for(membership_id=membership_id, kind=Kind.PAYMENT_FAILED, occasion=invoice_id).pk


def membership_grace_expire(*, membership_id: int, now: datetime) -> Membership | None:
    """End a membership whose grace period ran out: cancel its subscription in Stripe, then apply it.

    Stripe is asked with no transaction open; the key is derived from the membership and the day it
    fell behind, and a subscription already canceled counts as done, so a second run (or a second
    worker) cancels nothing more and the `ended` event, keyed by the membership's end, is appended once.
    """
    membership = Membership.objects.get(pk=membership_id)
    ends_at = grace_ends_at(membership)
    if membership.state != State.PAST_DUE or ends_at is None or ends_at > now:
        return None  # recovered, ended, or not over yet: nothing to do
    if not membership.stripe_subscription_id:
        logger.warning("Membership %s is past due with no Stripe subscription to cancel", membership_id)
        return None
    assert membership.past_due_since is not None  # grace_ends_at returned a time
    subscription = gateway.cancel_subscription(
        membership.stripe_subscription_id,
        idempotency_key=f"membership:{membership.pk}:grace-expiry:{membership.past_due_since:%Y-%m-%d}",
    )
    return services.membership_apply_subscription(
        subscription=subscription,
        observed_at=now,
        membership=membership,
        cause=Cause.scheduled(GRACE_EXPIRY_JOB),
    )


def membership_card_record(*, contribution_id: int) -> bool:
    """Store the card that paid a membership's contribution (brand, last four, expiry); whether it changed.

    Only the membership's newest paid contribution with a card counts, so tasks run in any order end
    with the card last used. Stripe is asked for the expiry only when the card is new to the row.
    """
    contribution = Contribution.objects.filter(pk=contribution_id).first()
    if contribution is None or not contribution.membership_id or not contribution.stripe_payment_method_id:
        return False
    newest = (
        Contribution.objects.filter(
            membership_id=contribution.membership_id, status=Contribution.Status.SUCCEEDED
        )
        .exclude(stripe_payment_method_id="")
        .order_by("-succeeded_at", "-pk")
        .first()
    )
    if newest is not None and newest.pk != contribution.pk:
        return False  # a later payment's task stores its own card
    method_id = contribution.stripe_payment_method_id
    rows = Membership.objects.filter(pk=contribution.membership_id)
    if rows.filter(stripe_payment_method_id=method_id, card_exp_year__isnull=False).exists():
        return False
    try:
        card = gateway.retrieve_card(method_id)
    except gateway.CardError:
        logger.warning("Payment method %s of contribution %s is gone at Stripe", method_id, contribution_id)
        return False
    return bool(
        rows.update(
            stripe_payment_method_id=method_id,
            card_brand=card.brand,
            card_last4=card.last4,
            card_exp_month=card.exp_month,
            card_exp_year=card.exp_year,
        )
    )
