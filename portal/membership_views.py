"""Reader membership pages: change amount or frequency, update the card, cancel (with offers), resume."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from membership import changes, notices, tiers
from membership.lifecycle import Cause
from membership.models import Membership, SaveOffer
from payments import gateway
from portal import presenters, selectors
from portal.forms import CancelReasonForm, ChangeForm, ConfirmChangeForm, LowerAmountForm, minor_from_text

UNAVAILABLE = gettext_lazy(
    "We could not reach our payment provider, so nothing was changed. Please try again in a moment."
)


def _mine(request: HttpRequest, membership_id: int) -> Membership:
    return selectors.reader_membership_or_404(user=request.user, membership_id=membership_id)  # type: ignore[arg-type]


def _cause(request: HttpRequest) -> Cause:
    return Cause.reader(request.user.pk)


def _context(request: HttpRequest, membership: Membership, **extra) -> dict:
    summary = presenters.membership_summary(membership, language=request.LANGUAGE_CODE)
    return {"item": summary, "membership": membership, "section": "overview", **extra}


def _preset_choices(membership: Membership, *, language: str) -> list[tuple[str, str]]:
    """The tier table's amounts for the membership's frequency, as radio choices."""
    choices = []
    for offer in tiers.tiers_for_currency(currency=membership.currency):
        amount = offer.minimum_for(membership.interval)
        label = f"{presenters.money(amount, membership.currency, language=language)} · {offer.tier.name}"
        choices.append((str(amount), label))
    return choices


def change_explained(membership: Membership, *, interval: str, amount_minor: int, language: str) -> str:
    """Exactly what will happen, said before the reader confirms (the policy: no proration)."""
    renews = notices.local_date(membership.current_period_end, language=language)
    new = presenters.money(amount_minor, membership.currency, language=language)
    if interval != membership.interval:
        per = _("a year") if interval == Membership.Interval.YEAR else _("a month")
        return _(
            "Nothing is charged today and nothing is refunded. On %(date)s your new cycle starts: "
            "you will pay %(amount)s %(per)s from then on."
        ) % {"date": renews, "amount": new, "per": per}
    return _(
        "Nothing is charged today and nothing is refunded. Your new amount of %(amount)s applies "
        "from your next payment, on %(date)s."
    ) % {"date": renews, "amount": new}


@login_required
@never_cache
def change(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _mine(request, membership_id)
    language = request.LANGUAGE_CODE
    if request.method == "POST" and "confirm" in request.POST:
        confirmed = ConfirmChangeForm(request.POST)
        if confirmed.is_valid():
            return _apply_change(request, membership, **confirmed.cleaned_data)
    form = ChangeForm(
        request.POST if request.method == "POST" else None,
        initial={"interval": membership.interval},
        currency=membership.currency,
        preset_choices=_preset_choices(membership, language=language),
    )
    if request.method == "POST" and form.is_valid():
        interval, amount = form.cleaned_data["interval"], form.cleaned_data["amount_minor"]
        refusal = changes.amount_refusal(currency=membership.currency, interval=interval, amount_minor=amount)
        if amount == membership.amount_minor and interval == membership.interval:
            refusal = _("That is already your amount.")
        if not refusal:
            reached = tiers.tier_reached(amount_minor=amount, currency=membership.currency, interval=interval)
            context = _context(
                request,
                membership,
                interval=interval,
                amount_minor=amount,
                new_amount=presenters.money(amount, membership.currency, language=language),
                explained=change_explained(
                    membership, interval=interval, amount_minor=amount, language=language
                ),
                tier=reached,
            )
            return render(request, "portal/change_confirm.html", context)
        form.add_error("custom", refusal)
    return render(request, "portal/change.html", _context(request, membership, form=form))


def _apply_change(
    request: HttpRequest, membership: Membership, *, interval: str, amount_minor: int
) -> HttpResponse:
    try:
        if interval != membership.interval:
            changes.membership_change_frequency(
                membership=membership, interval=interval, amount_minor=amount_minor, cause=_cause(request)
            )
        else:
            changes.membership_change_amount(
                membership=membership, amount_minor=amount_minor, cause=_cause(request)
            )
    except changes.ChangeRefusedError as refused:
        messages.error(request, refused.message)
        return redirect("portal:change", membership.pk)
    except gateway.GatewayError:
        messages.error(request, UNAVAILABLE)
        return redirect("portal:change", membership.pk)
    messages.success(request, _("Your membership is changed. Thank you!"))
    return redirect("portal:overview")


@login_required
@never_cache
def card(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _mine(request, membership_id)
    if request.method == "POST":
        return _card_saved(request, membership, setup_intent_id=request.POST.get("setup_intent", ""))
    try:
        _setup_intent_id, client_secret = changes.membership_card_setup(membership=membership)
    except changes.ChangeRefusedError as refused:
        messages.error(request, refused.message)
        return redirect("portal:overview")
    except gateway.GatewayError:
        messages.error(request, UNAVAILABLE)
        return redirect("portal:overview")
    others = selectors.reader_memberships(user=request.user).filter(  # type: ignore[arg-type]
        contributor__stripe_customer_id=membership.contributor.stripe_customer_id,
        state__in=Membership.LIVE_STATES,
    )
    card_config = {
        "publishableKey": settings.STRIPE_PUBLISHABLE_KEY,
        "clientSecret": client_secret,
        "messages": {"failed": _("Your card could not be confirmed. Please check it and try again.")},
    }
    context = _context(request, membership, card_config=card_config, shared_with=others.count() - 1)
    return render(request, "portal/card.html", context)


def _card_saved(request: HttpRequest, membership: Membership, *, setup_intent_id: str) -> HttpResponse:
    if not setup_intent_id.startswith("seti_"):
        messages.error(request, _("Your card could not be confirmed. Please check it and try again."))
        return redirect("portal:card", membership.pk)
    try:
        outcome = changes.membership_card_replace(
            membership=membership, setup_intent_id=setup_intent_id, cause=_cause(request)
        )
    except changes.ChangeRefusedError as refused:
        messages.error(request, refused.message)
        return redirect("portal:card", membership.pk)
    except (gateway.GatewayError, gateway.CardError):
        messages.error(request, UNAVAILABLE)
        return redirect("portal:card", membership.pk)
    if outcome.invoice_status == "paid":
        messages.success(
            request, _("Your new card is saved and your overdue payment went through. Thank you!")
        )
    elif outcome.invoice_status == "open":
        messages.error(request, _("Your new card is saved, but the overdue payment was declined again."))
    else:
        messages.success(request, _("Your new card is saved. Your next payment will use it."))
    return redirect("portal:overview")


@login_required
@never_cache
def cancel(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _mine(request, membership_id)
    form = CancelReasonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        offer = changes.save_offer_present(
            membership=membership,
            reason=form.cleaned_data["reason"],
            reason_text=form.cleaned_data["reason_text"],
            actor_id=request.user.pk,
        )
        return redirect("portal:cancel_offers", membership.pk, offer.pk)
    return render(request, "portal/cancel.html", _context(request, membership, form=form))


@login_required
@never_cache
def cancel_offers(request: HttpRequest, membership_id: int, offer_id: int) -> HttpResponse:
    membership = _mine(request, membership_id)
    offer = get_object_or_404(SaveOffer, pk=offer_id, membership=membership, outcome=SaveOffer.Outcome.OPEN)
    lower = LowerAmountForm(
        request.POST if request.POST.get("offer") == SaveOffer.Offer.LOWER_AMOUNT else None
    )
    if request.method == "POST":
        try:
            return _offer_decided(request, offer, lower)
        except changes.ChangeRefusedError as refused:
            messages.error(request, refused.message)
        except gateway.GatewayError:
            messages.error(request, UNAVAILABLE)
    language = request.LANGUAGE_CODE
    context = _context(
        request,
        membership,
        offer=offer,
        lower_form=lower,
        shown=set(offer.offers_shown),
        ends_on=notices.local_date(membership.current_period_end, language=language),
        annual=presenters.money(membership.amount_minor * 12, membership.currency, language=language),
    )
    return render(request, "portal/cancel_offers.html", context)


def _offer_decided(request: HttpRequest, offer: SaveOffer, lower: LowerAmountForm) -> HttpResponse:
    code = request.POST.get("offer", "")
    if code == "decline":
        membership = changes.save_offer_decline(offer=offer, cause=_cause(request))
        ends = notices.local_date(membership.current_period_end, language=request.LANGUAGE_CODE)
        messages.success(
            request, _("Your membership will end on %(date)s. You can keep it until then.") % {"date": ends}
        )
        return redirect("portal:overview")
    amount = None
    if code == SaveOffer.Offer.LOWER_AMOUNT:
        if not lower.is_valid():
            raise changes.ChangeRefusedError(_("Enter an amount, for example 5.00."), field="amount")
        amount = minor_from_text(lower.cleaned_data["custom"], offer.membership.currency)
        if amount is None:
            raise changes.ChangeRefusedError(_("Enter an amount, for example 5.00."), field="amount")
    changes.save_offer_take(offer=offer, code=code, cause=_cause(request), amount_minor=amount)
    messages.success(request, _("Thank you for staying with us!"))
    return redirect("portal:overview")


@login_required
@require_POST
def resume(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = _mine(request, membership_id)
    try:
        changes.membership_withdraw_cancel(membership=membership, cause=_cause(request))
    except changes.ChangeRefusedError as refused:
        messages.error(request, refused.message)
    except gateway.GatewayError:
        messages.error(request, UNAVAILABLE)
    else:
        messages.success(request, _("Your membership continues. Thank you for staying!"))
    return redirect("portal:overview")
