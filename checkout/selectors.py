"""Reads for checkout: options a page offers, the reader's default currency, who may see a contribution."""

from __future__ import annotations

from babel.core import get_global
from babel.numbers import get_territory_currencies
from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation.trans_real import parse_accept_lang_header

from checkout import breaker, fees
from checkout.errors import NotFoundError
from checkout.models import AmountPreset
from checkout.presets import STANDARD_PRESETS
from checkout.rules import enabled_currencies, enabled_currency
from membership.models import Membership
from payments.limits import amount_limits
from payments.models import Contribution, Frequency
from payments.money import minor_unit_exponent

UPGRADE_DIVISOR = 5  # a one-off gift of 50 suggests 10 a month


def amount_presets(*, currency: str, frequency: str) -> tuple[list[int], int | None]:
    """Staff presets for this currency and frequency, else the standard ladder."""
    rows = list(
        AmountPreset.objects.filter(currency=currency, frequency=frequency).values_list(
            "amount_minor", "is_default"
        )
    )
    if rows:
        amounts = [amount for amount, _default in rows]
        default = next((amount for amount, is_default in rows if is_default), amounts[0])
        return amounts, default
    standard, standard_default = STANDARD_PRESETS.get(currency, {}).get(frequency, ([], None))
    return list(standard), standard_default


def checkout_options(*, currency: str) -> dict:
    """What the checkout page offers in one currency (amounts in minor units); see docs/checkout.md.

    Each preset comes with the fee a reader may cover for it, from `fees.fee_for`: the one source of
    the fee (the formula itself is not published, so no client computes a fee of its own).
    """
    currency = enabled_currency(currency)
    tightened = breaker.breaker_state(record_change=False).tripped
    presets, limits = {}, {}
    for frequency in Frequency.values:
        amounts, default = amount_presets(currency=currency, frequency=frequency)
        limit = amount_limits(currency=currency, frequency=frequency, tightened=tightened)
        amounts = [amount for amount in amounts if limit.min_minor <= amount <= limit.max_minor]
        presets[frequency] = {
            "amounts": amounts,
            "default": default if default in amounts else None,
            "fees": [fees.fee_for(amount_minor=amount, currency=currency) for amount in amounts],
        }
        limits[frequency] = {"min": limit.min_minor, "max": limit.max_minor}
    return {
        "currency": currency,
        "exponent": minor_unit_exponent(currency),
        "currencies": enabled_currencies(),
        "min_amount": limits[Frequency.ONE_OFF]["min"],
        "max_amount": limits[Frequency.ONE_OFF]["max"],
        "limits": limits,
        "presets": presets,
    }


def _currency_of_territory(territory: str | None) -> str | None:
    if not territory:
        return None
    enabled = enabled_currencies()
    return next(
        (code for code in get_territory_currencies(territory.upper(), tender=True) if code in enabled), None
    )


def default_currency_for(*, accept_language: str, country: str | None = None, language: str = "") -> str:
    """An enabled currency for the reader: the one CHECKOUT_CURRENCY_BY_LANGUAGE names for the site's
    language they read in, else the country's when known, else their browser's preferred languages'.

    A language without a region uses CLDR's likely region (`uk` → Ukraine, `en` → United States).
    """
    by_language = settings.CHECKOUT_CURRENCY_BY_LANGUAGE.get(language.split("-")[0].lower())
    if by_language in enabled_currencies():
        return by_language
    found = _currency_of_territory(country)
    if found:
        return found
    likely = get_global("likely_subtags")
    for language, _quality in parse_accept_lang_header(accept_language or ""):
        if language == "*":
            continue
        parts = language.replace("-", "_").split("_")
        territory = next((part for part in parts[1:] if len(part) == 2 and part.isalpha()), None)
        if territory is None:
            territory = likely.get(parts[0].lower(), "").split("_")[-1] or None
        found = _currency_of_territory(territory)
        if found:
            return found
    return settings.CHECKOUT_DEFAULT_CURRENCY


def suggested_monthly_amount(*, one_off_minor: int, currency: str) -> int | None:
    """The rung of the monthly ladder nearest below a fifth of the gift (50 USD once → 10 USD a month)."""
    ladder, _default = amount_presets(currency=currency, frequency=Frequency.MONTHLY)
    if not ladder:
        return None
    ladder = sorted(ladder)
    target = one_off_minor // UPGRADE_DIVISOR
    return max((rung for rung in ladder if rung <= target), default=ladder[0])


def upgrade_suggestion(*, gift: Contribution) -> int | None:
    """The monthly amount offered for a gift, from what the reader chose (the covered fee left out)."""
    return suggested_monthly_amount(
        one_off_minor=gift.amount_minor - gift.fee_covered_minor, currency=gift.currency
    )


def upgrade_key(gift: Contribution) -> str:
    """The idempotency key of the membership a gift became (checkout/services.py uses the same)."""
    return f"upgrade:{gift.public_id}"


def upgrade_offer_amount(*, gift: Contribution) -> int | None:
    """The monthly amount to offer for a gift, or None once the offer cannot be taken.

    One rule for the thank-you page and the API: a paid one-off gift, with its card saved on a Stripe
    customer, that has not become a membership yet (a reload after upgrading offers nothing).
    """
    if (
        gift.frequency != Frequency.ONE_OFF
        or gift.status != Contribution.Status.SUCCEEDED
        or not gift.stripe_payment_intent_id
        or not gift.contributor.stripe_customer_id
        or Contribution.objects.filter(idempotency_key=upgrade_key(gift)).exists()
    ):
        return None
    return upgrade_suggestion(gift=gift)


def active_memberships_of(*, user) -> list[Membership]:
    """The signed-in reader's memberships that still charge (active or past due), oldest first.

    Theirs by the account linked to the contributor, or by the account's email (how checkout finds the
    contributor of a signed-in reader).
    """
    if not user.is_authenticated:
        return []
    return list(
        Membership.objects.filter(
            Q(contributor__user=user) | Q(contributor__email__iexact=user.email),
            status__in=[Membership.Status.ACTIVE, Membership.Status.PAST_DUE],
        ).order_by("created_at", "pk")
    )


def contribution_for_reader(*, public_id, request: HttpRequest) -> Contribution:
    """The contribution, for the browser session that made it or the account that owns it.

    A pure read (the session is read, never written); anyone else gets NotFoundError.
    """
    contribution = (
        Contribution.objects.select_related("membership", "contributor").filter(public_id=public_id).first()
    )
    if contribution is not None:
        user = request.user
        if user.is_authenticated and contribution.user_id == user.pk:
            return contribution
        session_key = request.session.session_key
        mine = request.session.get("checkout_contributions", [])
        if str(contribution.public_id) in mine or (session_key and contribution.session_key == session_key):
            return contribution
    raise NotFoundError(_("No such contribution."), code="not_found")
