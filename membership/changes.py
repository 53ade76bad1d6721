"""Changes a reader (or staff on their behalf) makes to a membership: amount, frequency, pause, cancel, card.

Each asks Stripe first and then applies the subscription Stripe answered (`membership_apply_subscription`),
which appends the history event with its cause. No proration, ever: a new amount applies from the
next renewal, a new frequency starts its cycle on the next renewal date, a pause pushes the next
charge out. localstripe sends no `customer.subscription.updated`: the answer of the call is applied
at once, and Stripe's later webhook, on real Stripe, finds nothing left to change.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from membership import services, status
from membership.lifecycle import Cause
from membership.models import CancelReason, Membership, ReplacedSubscription, SaveOffer
from payments import gateway
from payments.limits import amount_limits
from payments.models import Frequency

logger = logging.getLogger(__name__)
State = Membership.State
Offer = SaveOffer.Offer
PAUSE_MONTHS: dict[str, int] = {Offer.PAUSE_1: 1, Offer.PAUSE_2: 2, Offer.PAUSE_3: 3}


class ChangeRefusedError(Exception):
    """The change cannot be made to this membership now; `field` names what to correct."""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _require(membership: Membership, *states: str) -> None:
    if membership.state not in states:
        raise ChangeRefusedError(_("This membership cannot be changed in its present state."), field="state")


def _fresh(membership: Membership) -> Membership:
    return Membership.objects.select_related("contributor", "tier").get(pk=membership.pk)


def _key(membership: Membership, what: str) -> str:
    """An idempotency key per change: a retried request repeats it; the next change has its own."""
    return f"membership:{membership.pk}:{what}:{membership.events.count()}"


def _apply(membership: Membership, subscription: gateway.Subscription, cause: Cause, **reason) -> Membership:
    applied = services.membership_apply_subscription(
        subscription=subscription, observed_at=timezone.now(), membership=membership, cause=cause, **reason
    )
    return applied or membership


def amount_refusal(*, currency: str, interval: str, amount_minor: int) -> str:
    """Why checkout would refuse this amount for a membership (empty when it is fine)."""
    frequency = gateway.FREQUENCY_OF_INTERVAL[interval]
    limits = amount_limits(currency=currency, frequency=frequency)
    if not limits.min_minor <= amount_minor <= limits.max_minor:
        return _("Choose an amount between the minimum and the maximum shown.")
    try:
        gateway.to_stripe_amount(amount_minor, currency)
    except gateway.AmountNotAcceptedError:
        return _("This amount cannot be charged in this currency.")
    return ""


def membership_change_amount(*, membership: Membership, amount_minor: int, cause: Cause) -> Membership:
    """A new amount, charged from the next renewal on; `amount_changed` is recorded, nothing charged now."""
    membership = _fresh(membership)
    _require(membership, State.ACTIVE)
    if amount_minor == membership.amount_minor:
        raise ChangeRefusedError(_("That is already your amount."), field="amount")
    refusal = amount_refusal(
        currency=membership.currency, interval=membership.interval, amount_minor=amount_minor
    )
    if refusal:
        raise ChangeRefusedError(refusal, field="amount")
    plan = services.membership_plan(
        amount_minor=amount_minor, currency=membership.currency, interval=membership.interval
    )
    subscription = gateway.change_subscription_plan(
        subscription_id=membership.stripe_subscription_id or "",
        plan_id=plan.id,
        idempotency_key=_key(membership, f"plan:{plan.id}"),
    )
    return _apply(membership, subscription, cause)


def membership_change_frequency(
    *, membership: Membership, interval: str, amount_minor: int, cause: Cause
) -> Membership:
    """Monthly ↔ annual: a new subscription whose first charge is the old one's renewal date.

    Stripe and localstripe both charge a change of interval at once when the plan is swapped, so
    the membership moves to a new subscription (a trial until the renewal date, nothing charged
    now) and the old one is canceled; its late events stay with this membership.
    """
    membership = _fresh(membership)
    _require(membership, State.ACTIVE)
    if interval == membership.interval or interval not in gateway.FREQUENCY_OF_INTERVAL:
        raise ChangeRefusedError(_("Choose the other frequency."), field="interval")
    refusal = amount_refusal(currency=membership.currency, interval=interval, amount_minor=amount_minor)
    if refusal:
        raise ChangeRefusedError(refusal, field="amount")
    renews_at = membership.current_period_end
    if renews_at is None or renews_at <= timezone.now() or not membership.stripe_subscription_id:
        raise ChangeRefusedError(_("This membership has no renewal date to change at."), field="interval")
    old_subscription_id = membership.stripe_subscription_id
    plan = services.membership_plan(
        amount_minor=amount_minor, currency=membership.currency, interval=interval
    )
    subscription = gateway.create_subscription_from(
        customer_id=membership.contributor.stripe_customer_id or "",
        plan_id=plan.id,
        first_charge_at=int(renews_at.timestamp()),
        metadata={"membership": str(membership.pk), **services.PLATFORM_METADATA},
        idempotency_key=f"membership:{membership.pk}:replace:{old_subscription_id}:{plan.id}",
    )
    with transaction.atomic():
        ReplacedSubscription.objects.get_or_create(
            stripe_subscription_id=old_subscription_id, defaults={"membership": membership}
        )
        membership = _apply(membership, subscription, cause)
    subscription_replaced_cancel(membership_id=membership.pk, subscription_id=old_subscription_id)
    return membership


def subscription_replaced_cancel(*, membership_id: int, subscription_id: str) -> None:
    """Cancel the subscription a membership moved off (safe twice: canceled counts as done)."""
    gateway.cancel_subscription(
        subscription_id, idempotency_key=f"membership:{membership_id}:replaced:{subscription_id}"
    )


def membership_pause(*, membership: Membership, months: int, cause: Cause) -> Membership:
    """Push the next charge out by `months` from the renewal date; `paused` is recorded."""
    membership = _fresh(membership)
    _require(membership, State.ACTIVE)
    if months not in PAUSE_MONTHS.values() or membership.current_period_end is None:
        raise ChangeRefusedError(_("Choose a pause of one, two or three months."), field="months")
    paused_from = membership.current_period_end
    paused_until = paused_from + relativedelta(months=months)
    return _with_pause_fields(
        membership,
        paused_from=paused_from,
        paused_until=paused_until,
        charge_at=int(paused_until.timestamp()),
        cause=cause,
        what=f"pause:{months}",
    )


def membership_resume_pause(*, membership: Membership, cause: Cause) -> Membership:
    """End a pause early: the next charge goes back to the renewal date the pause pushed out (or now)."""
    membership = _fresh(membership)
    _require(membership, State.PAUSED)
    back_to = membership.paused_from
    charge_at: int | str = int(back_to.timestamp()) if back_to and back_to > timezone.now() else "now"
    return _with_pause_fields(
        membership, paused_from=None, paused_until=None, charge_at=charge_at, cause=cause, what="unpause"
    )


def _with_pause_fields(
    membership: Membership,
    *,
    paused_from: datetime | None,
    paused_until: datetime | None,
    charge_at: int | str,
    cause: Cause,
    what: str,
) -> Membership:
    """Our pause dates are written first (the snapshot's state depends on them), put back if Stripe fails."""
    previous = {"paused_from": membership.paused_from, "paused_until": membership.paused_until}
    Membership.objects.filter(pk=membership.pk).update(paused_from=paused_from, paused_until=paused_until)
    try:
        subscription = gateway.push_next_charge(
            subscription_id=membership.stripe_subscription_id or "",
            charge_at=charge_at,
            idempotency_key=_key(membership, what),
        )
    except gateway.GatewayError:
        Membership.objects.filter(pk=membership.pk).update(**previous)
        raise
    return _apply(_fresh(membership), subscription, cause)


def membership_cancel(
    *, membership: Membership, cause: Cause, reason: str = "", reason_text: str = ""
) -> Membership:
    """Cancel at the end of the paid period; `cancel_requested` carries the reason given."""
    membership = _fresh(membership)
    _require(membership, State.ACTIVE, State.PAUSED)
    if membership.cancel_at_period_end:  # a paused membership already set to end with its pause
        raise ChangeRefusedError(_("This membership is already set to end."), field="state")
    if reason and reason not in CancelReason.values:
        raise ChangeRefusedError(_("Choose one of the reasons listed."), field="reason")
    subscription = gateway.set_cancel_at_period_end(
        subscription_id=membership.stripe_subscription_id or "",
        cancel=True,
        idempotency_key=_key(membership, "cancel"),
    )
    return _apply(membership, subscription, cause, cancel_reason=reason, cancel_reason_text=reason_text[:500])


def membership_withdraw_cancel(*, membership: Membership, cause: Cause) -> Membership:
    """Keep a canceling membership after all (before its period ends); `cancel_withdrawn` is recorded.

    A paused membership that was canceled stays `paused` (its pause runs on, then it ends): it is
    withdrawn the same way, and resumes when the pause ends.
    """
    membership = _fresh(membership)
    _require(membership, State.CANCELING, State.PAUSED)
    if not membership.cancel_at_period_end:
        raise ChangeRefusedError(_("This membership is not set to end."), field="state")
    subscription = gateway.set_cancel_at_period_end(
        subscription_id=membership.stripe_subscription_id or "",
        cancel=False,
        idempotency_key=_key(membership, "uncancel"),
    )
    return _apply(membership, subscription, cause)


def membership_cancel_now(*, membership: Membership, cause: Cause) -> Membership:
    """End it today (staff, or an account being deleted): canceled in Stripe, then `ended`."""
    membership = _fresh(membership)
    if membership.state == State.ENDED or not membership.stripe_subscription_id:
        return membership
    subscription = gateway.cancel_subscription(
        membership.stripe_subscription_id, idempotency_key=f"membership:{membership.pk}:cancel-now"
    )
    return _apply(membership, subscription, cause)


@dataclass(frozen=True)
class CardOutcome:
    """What updating the card did: which memberships now use it, and a retried invoice's result."""

    memberships: int
    invoice_status: str  # "paid", "open" (declined again), or "" when nothing was owed


def membership_card_setup(*, membership: Membership) -> tuple[str, str]:
    """A SetupIntent for the membership's customer: (its id, the client secret Stripe.js confirms)."""
    membership = _fresh(membership)
    _require(membership, State.ACTIVE, State.PAST_DUE, State.CANCELING, State.PAUSED)
    customer_id = membership.contributor.stripe_customer_id or ""
    return gateway.create_setup_intent(customer_id=customer_id, idempotency_key=_key(membership, "setup"))


def membership_card_replace(*, membership: Membership, setup_intent_id: str, cause: Cause) -> CardOutcome:
    """The confirmed card becomes the customer's default for all its memberships; a past-due
    membership's open invoice is retried at once."""
    membership = _fresh(membership)
    customer_id = membership.contributor.stripe_customer_id or ""
    intent_status, method_id, intent_customer = gateway.retrieve_setup_intent(setup_intent_id)
    if intent_status != "succeeded" or not method_id:
        raise ChangeRefusedError(_("Your card was not confirmed. Please try again."), field="card")
    if intent_customer != customer_id:  # a SetupIntent of another customer never changes this one
        raise ChangeRefusedError(_("Your card was not confirmed. Please try again."), field="card")
    card = gateway.attach_payment_method(
        payment_method_id=method_id,
        customer_id=customer_id,
        idempotency_key=f"setup:{setup_intent_id}:attach",
    )
    gateway.set_default_payment_method(customer_id=customer_id, payment_method_id=method_id)
    count = Membership.objects.filter(contributor__stripe_customer_id=customer_id).update(
        stripe_payment_method_id=method_id,
        card_brand=card.brand,
        card_last4=card.last4,
        card_exp_month=card.exp_month,
        card_exp_year=card.exp_year,
    )
    transaction.on_commit(lambda: status.member_status_invalidate(contributor_id=membership.contributor_id))
    invoice_status = ""
    if membership.state == State.PAST_DUE and membership.stripe_subscription_id:
        invoice_status = _retry_open_invoice(membership, setup_intent_id=setup_intent_id, cause=cause)
    return CardOutcome(memberships=count, invoice_status=invoice_status)


def _retry_open_invoice(membership: Membership, *, setup_intent_id: str, cause: Cause) -> str:
    """Pay the failed renewal with the new card now; the reader sees the outcome at once."""
    outcome = ""
    for invoice_id in gateway.open_invoice_ids(subscription_id=membership.stripe_subscription_id or ""):
        try:
            outcome = gateway.pay_open_invoice(
                invoice_id=invoice_id, idempotency_key=f"setup:{setup_intent_id}:pay:{invoice_id}"
            )
        except gateway.CardError:
            outcome = "open"
            break
    if outcome:
        services.membership_refresh_from_stripe(membership=membership, cause=cause)
    return outcome


def save_offers_for(membership: Membership) -> list[str]:
    """The offers that fit this membership, in the order shown."""
    offers = [Offer.PAUSE_1, Offer.PAUSE_2, Offer.PAUSE_3] if membership.state == State.ACTIVE else []
    limits = amount_limits(currency=membership.currency, frequency=Frequency.MONTHLY)
    if membership.state == State.ACTIVE and membership.amount_minor > limits.min_minor:
        offers.append(Offer.LOWER_AMOUNT)
    if membership.state == State.ACTIVE and membership.interval == Membership.Interval.MONTH:
        offers.append(Offer.SWITCH_ANNUAL)
    return [str(offer) for offer in offers]


def save_offer_present(
    *, membership: Membership, reason: str, reason_text: str, actor_id: int | None
) -> SaveOffer:
    """Record the offers about to be shown to a member who asked to cancel, with their reason."""
    if reason and reason not in CancelReason.values:
        raise ChangeRefusedError(_("Choose one of the reasons listed."), field="reason")
    return SaveOffer.objects.create(
        membership=membership,
        offers_shown=save_offers_for(membership),
        reason=reason,
        reason_text=reason_text[:500],
        actor_id=actor_id,
    )


def save_offer_take(
    *, offer: SaveOffer, code: str, cause: Cause, amount_minor: int | None = None
) -> Membership:
    """The member took one of the offers shown: make that change instead of cancelling."""
    if offer.outcome != SaveOffer.Outcome.OPEN or code not in offer.offers_shown:
        raise ChangeRefusedError(_("That offer is no longer open."), field="offer")
    membership = offer.membership
    if code in PAUSE_MONTHS:
        membership = membership_pause(membership=membership, months=PAUSE_MONTHS[code], cause=cause)
    elif code == Offer.LOWER_AMOUNT:
        if amount_minor is None or amount_minor >= membership.amount_minor:
            raise ChangeRefusedError(_("Choose an amount lower than your present one."), field="amount")
        membership = membership_change_amount(membership=membership, amount_minor=amount_minor, cause=cause)
    else:
        annual = amount_minor if amount_minor else membership.amount_minor * 12
        membership = membership_change_frequency(
            membership=membership, interval=Membership.Interval.YEAR, amount_minor=annual, cause=cause
        )
    SaveOffer.objects.filter(pk=offer.pk).update(
        offer_taken=code, outcome=SaveOffer.Outcome.SAVED, decided_at=timezone.now()
    )
    return membership


def save_offer_decline(*, offer: SaveOffer, cause: Cause) -> Membership:
    """The member declined every offer: cancel at period end with the reason they gave."""
    if offer.outcome != SaveOffer.Outcome.OPEN:
        raise ChangeRefusedError(_("That cancellation was already decided."), field="offer")
    membership = membership_cancel(
        membership=offer.membership, cause=cause, reason=offer.reason, reason_text=offer.reason_text
    )
    SaveOffer.objects.filter(pk=offer.pk).update(
        outcome=SaveOffer.Outcome.CANCELED, decided_at=timezone.now()
    )
    return membership
