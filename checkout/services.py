"""Checkout: record the contribution first, then move money through the gateway; gifts and memberships.

The server creates and confirms the payment itself; the page only completes 3-D Secure when the
answer is `requires_action`. Every money-moving Stripe call carries a key derived from our row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from checkout import breaker, guards
from checkout.errors import CheckoutError, IdempotencyConflictError
from checkout.fees import fee_for
from checkout.rules import CheckoutRequest, check_amount, validated_request
from checkout.selectors import upgrade_key, upgrade_suggestion
from membership import services as membership_services
from membership.lifecycle import Cause
from membership.models import Membership
from payments import gateway
from payments import services as payment_services
from payments.models import Contribution, Contributor, Frequency

Status = Contribution.Status
RESUME_MARGIN_SECONDS = 5


@dataclass(frozen=True)
class Requester:
    """Who asks: the client IP (for limits), the browser session and account (for ownership)."""

    ip: str
    session_key: str
    user_id: int | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Outcome:
    contribution: Contribution
    client_secret: str | None = None
    next_action_type: str | None = None
    replayed: bool = False


def _replay(existing: Contribution, *, requester: Requester, same_request: bool) -> Outcome:
    """The same Idempotency-Key again: the same contribution, never a second charge.

    The same key with another body, or from another account, is refused. The payment method id
    (made by Stripe.js in the reader's browser) is part of the body, so a guessed key reveals nothing.
    """
    if not same_request or (existing.user_id and existing.user_id != requester.user_id):
        raise IdempotencyConflictError(
            _("This payment attempt was already used for another request. Please reload the page."),
            code="idempotency_key_reused",
        )
    if _never_reached_stripe(existing):
        return replace(_resume(existing), replayed=True)
    return replace(contribution_refresh(contribution=existing), replayed=True)


def _never_reached_stripe(contribution: Contribution) -> bool:
    """Recorded, but Stripe failed before any payment existed (no intent, no subscription yet).

    Only once the request that recorded it must be over (its Stripe time is bounded by
    STRIPE_READER_BUDGET_SECONDS): a double submit meanwhile gets the pending answer, never a second run.
    """
    membership = contribution.membership
    settled_by = timezone.now() - timedelta(
        seconds=settings.STRIPE_READER_BUDGET_SECONDS + RESUME_MARGIN_SECONDS
    )
    return (
        contribution.created_at < settled_by
        and contribution.status == Status.PENDING
        and not contribution.stripe_payment_intent_id
        and not contribution.stripe_invoice_id
        and (membership is None or not membership.stripe_subscription_id)
    )


def _resume(contribution: Contribution) -> Outcome:
    """Carry on a payment that stopped before Stripe made anything; the keys derived from our rows make
    every Stripe call the same one again, so pressing the button again never charges twice."""
    payment_method_id = contribution.stripe_payment_method_id
    card = guards.card_for_checkout(payment_method_id)
    if contribution.membership is None:
        return _pay_once(contribution, payment_method_id=payment_method_id, card=card)
    return _start_membership(
        contribution,
        membership=contribution.membership,
        customer_id=_customer_id(contribution.contributor),
        payment_method_id=payment_method_id,
        card=card,
    )


def _same_request(existing: Contribution, checkout: CheckoutRequest) -> bool:
    """Whether the body asks for what the key already recorded (the fee, when covered, is never 0)."""
    chosen = existing.amount_minor - existing.fee_covered_minor
    return (
        chosen,
        existing.fee_covered_minor > 0,
        existing.currency,
        existing.frequency,
        existing.contributor.email.lower(),
        existing.stripe_payment_method_id,
    ) == (
        checkout.amount_minor,
        checkout.cover_fee,
        (checkout.currency or "").upper(),
        checkout.frequency,
        (checkout.email or "").strip().lower(),
        checkout.payment_method_id,
    )


def _metadata(contribution: Contribution) -> dict[str, str]:
    return {
        "contribution": str(contribution.public_id),
        **{k: v for k, v in contribution.attribution().items() if v},
    }


def _customer_id(contributor: Contributor) -> str:
    if contributor.stripe_customer_id:
        return contributor.stripe_customer_id
    customer = gateway.create_customer(
        email=contributor.email,
        name=contributor.name,
        metadata={"contributor": str(contributor.pk)},
        idempotency_key=f"contributor:{contributor.pk}:customer",
    )
    return payment_services.contributor_set_stripe_customer(contributor=contributor, customer_id=customer.id)


def _apply(contribution: Contribution, intent: gateway.PaymentIntent, card: gateway.CardDetails) -> Outcome:
    contribution, _became = payment_services.contribution_apply_payment_intent(
        payment_intent=intent, card=card, contribution=contribution
    )
    return _outcome(contribution, intent, card)


def _outcome(
    contribution: Contribution, intent: gateway.PaymentIntent | None, card: gateway.CardDetails | None
) -> Outcome:
    if contribution.status == Status.FAILED:
        guards.record_card_failure(card)
    if contribution.status == Status.REQUIRES_ACTION and intent is not None:
        return Outcome(
            contribution,
            client_secret=intent.client_secret,
            next_action_type=intent.next_action_type or "use_stripe_sdk",
        )
    return Outcome(contribution)


def _pay_once(contribution: Contribution, *, payment_method_id: str, card: gateway.CardDetails) -> Outcome:
    """Save the card on a Customer (for the one-click membership offer), then create and confirm.

    A card Stripe refuses to save may still pay as a guest, so saving never blocks the gift.
    """
    customer_id = None
    if payment_method_id.startswith("pm_"):
        customer_id = _customer_id(contribution.contributor)
        try:
            gateway.attach_payment_method(
                payment_method_id=payment_method_id,
                customer_id=customer_id,
                idempotency_key=f"contribution:{contribution.public_id}:attach",
            )
        except gateway.CardError:
            customer_id = None
    intent = gateway.create_payment_intent(
        amount=contribution.amount_minor,
        currency=contribution.currency,
        payment_method_id=payment_method_id,
        customer_id=customer_id,
        metadata=_metadata(contribution),
        idempotency_key=f"contribution:{contribution.public_id}:payment_intent",
    )
    payment_services.contribution_set_payment_intent(contribution=contribution, payment_intent_id=intent.id)
    try:
        intent = gateway.confirm_payment_intent(
            intent.id, idempotency_key=f"contribution:{contribution.public_id}:confirm"
        )
    except gateway.CardError:
        intent = gateway.retrieve_payment_intent(intent.id)
    return _apply(contribution, intent, card)


def _start_membership(
    contribution: Contribution,
    *,
    membership: Membership,
    customer_id: str,
    payment_method_id: str,
    card: gateway.CardDetails,
    attach: bool = True,
) -> Outcome:
    """The card saved on the Customer as its default, then the membership's subscription."""
    if attach:
        try:
            gateway.attach_payment_method(
                payment_method_id=payment_method_id,
                customer_id=customer_id,
                idempotency_key=f"membership:{membership.pk}:attach",
            )
        except gateway.CardError as exc:
            failed = payment_services.contribution_fail_before_intent(
                contribution=contribution, code=exc.decline_code or exc.code, message=str(exc)
            )
            return _outcome(failed, None, card)
    gateway.set_default_payment_method(customer_id=customer_id, payment_method_id=payment_method_id)
    subscription = membership_services.membership_start_subscription(
        membership=membership, customer_id=customer_id, metadata=_metadata(contribution)
    )
    payment_services.contribution_set_invoice(
        contribution=contribution, invoice_id=subscription.latest_invoice_id
    )
    intent = subscription.latest_invoice_payment_intent
    if intent is None:
        return Outcome(contribution)
    return _apply(contribution, intent, card)


def _record(
    checkout: CheckoutRequest, *, requester: Requester, fee: int, idempotency_key: str | None
) -> Contribution:
    """The contribution (and membership) rows, written before Stripe hears of them."""
    with transaction.atomic():
        contributor = payment_services.contributor_find_or_create(
            email=checkout.email, name=checkout.name, user_id=requester.user_id, language=checkout.language
        )
        attribution = {key: value for key, value in checkout.attribution.items() if value}
        membership = None
        if checkout.frequency != Frequency.ONE_OFF:
            membership = membership_services.membership_create(
                contributor=contributor,
                frequency=checkout.frequency,
                amount_minor=checkout.amount_minor + fee,
                currency=checkout.currency,
                attribution=attribution,
            )
        return Contribution.objects.create(
            contributor=contributor,
            membership=membership,
            frequency=checkout.frequency,
            amount_minor=checkout.amount_minor + fee,
            fee_covered_minor=fee,
            currency=checkout.currency,
            stripe_payment_method_id=checkout.payment_method_id,
            idempotency_key=idempotency_key,
            session_key=requester.session_key,
            user_id=requester.user_id,
            dedication=checkout.dedication,
            anonymous=checkout.anonymous,
            **attribution,
        )


def contribution_checkout(*, checkout: CheckoutRequest, requester: Requester) -> Outcome:
    """Validate, limit, record, then charge once; the same Idempotency-Key answers the same contribution."""
    key = requester.idempotency_key
    if key:
        existing = Contribution.objects.select_related("contributor").filter(idempotency_key=key).first()
        if existing is not None:
            return _replay(existing, requester=requester, same_request=_same_request(existing, checkout))
    tightened = breaker.breaker_state().tripped
    guards.check_ip_rate(ip=requester.ip, tightened=tightened)
    checkout = validated_request(checkout, tightened=tightened)
    guards.check_email_rate(email=checkout.email)
    card = guards.card_for_checkout(checkout.payment_method_id)
    fee = fee_for(amount_minor=checkout.amount_minor, currency=checkout.currency) if checkout.cover_fee else 0
    try:
        contribution = _record(checkout, requester=requester, fee=fee, idempotency_key=key)
    except IntegrityError:
        existing = Contribution.objects.select_related("contributor").filter(idempotency_key=key).first()
        if key is None or existing is None:
            raise
        return _replay(existing, requester=requester, same_request=_same_request(existing, checkout))
    if contribution.membership is None:
        return _pay_once(contribution, payment_method_id=checkout.payment_method_id, card=card)
    return _start_membership(
        contribution,
        membership=contribution.membership,
        customer_id=_customer_id(contribution.contributor),
        payment_method_id=checkout.payment_method_id,
        card=card,
    )


def contribution_upgrade(*, gift: Contribution, amount_minor: int | None, requester: Requester) -> Outcome:
    """Turn a succeeded one-off gift into a monthly membership with the card saved at the gift."""
    if (
        gift.frequency != Frequency.ONE_OFF
        or gift.status != Status.SUCCEEDED
        or not gift.stripe_payment_intent_id
    ):
        raise CheckoutError(
            _("Only a completed one-off gift can become a membership."), code="upgrade_unavailable"
        )
    existing = Contribution.objects.filter(idempotency_key=upgrade_key(gift)).first()
    if existing is not None:
        return replace(contribution_refresh(contribution=existing), replayed=True)
    tightened = breaker.breaker_state().tripped
    guards.check_ip_rate(ip=requester.ip, tightened=tightened)
    if amount_minor is None:
        amount_minor = upgrade_suggestion(gift=gift) or 0
    check_amount(
        amount_minor=amount_minor,
        currency=gift.currency,
        frequency=Frequency.MONTHLY,
        tightened=tightened,
    )
    intent = gateway.retrieve_payment_intent(gift.stripe_payment_intent_id)
    if not intent.customer_id or not intent.payment_method_id:
        raise CheckoutError(
            _("Your card was not saved with this gift. Please use the membership form."),
            code="upgrade_unavailable",
        )
    card = guards.card_for_checkout(intent.payment_method_id)
    checkout = CheckoutRequest(
        amount_minor=amount_minor,
        currency=gift.currency,
        frequency=Frequency.MONTHLY,
        email=gift.contributor.email,
        payment_method_id=intent.payment_method_id,
        name=gift.contributor.name,
        attribution=gift.attribution(),
        language=gift.contributor.language,
    )
    try:
        contribution = _record(checkout, requester=requester, fee=0, idempotency_key=upgrade_key(gift))
    except IntegrityError:
        existing = Contribution.objects.get(idempotency_key=upgrade_key(gift))
        return replace(contribution_refresh(contribution=existing), replayed=True)
    assert contribution.membership is not None  # _record makes one for every recurring request
    return _start_membership(
        contribution,
        membership=contribution.membership,
        customer_id=intent.customer_id,
        payment_method_id=intent.payment_method_id,
        card=card,
        attach=False,
    )


def contribution_refresh(*, contribution: Contribution) -> Outcome:
    """The current state: while undecided, ask Stripe (the reader may just have passed 3-D Secure)."""
    if (
        contribution.status not in {Status.PENDING, Status.REQUIRES_ACTION}
        or not contribution.stripe_payment_intent_id
    ):
        return Outcome(contribution)
    try:
        intent = gateway.retrieve_payment_intent(contribution.stripe_payment_intent_id)
        contribution, _became = payment_services.contribution_apply_payment_intent(
            payment_intent=intent, contribution=contribution
        )
        if contribution.membership is not None:
            contribution.membership = membership_services.membership_refresh_from_stripe(
                membership=contribution.membership, cause=Cause.reader(contribution.user_id)
            )
    except gateway.GatewayError:
        return Outcome(contribution)
    return _outcome(contribution, intent, None)
