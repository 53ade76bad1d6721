"""HTML pages of checkout: the support page and the thank-you page. Payments go through checkout/api.py."""

import uuid

from babel.numbers import get_currency_name, get_currency_symbol, is_currency
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.text import slugify
from django.utils.translation import gettext as _

from checkout import selectors
from checkout.errors import NotFoundError
from checkout.fees import fee_for
from checkout.formatting import money_format_for_script
from checkout.rules import without_refused_characters
from membership import tiers
from payments.models import Attribution, Contribution, Frequency
from payments.money import format_money

ALLOWED_SOURCES = ("banner", "newsletter", "article")
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"


def _babel_locale() -> str:
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)


def _attribution(request: HttpRequest) -> dict[str, str]:
    """What brought the reader here, cleaned so the API will accept it (never a reason to refuse a gift)."""
    limits = {f.name: f.max_length for f in Contribution._meta.concrete_fields}
    values = {}
    for name in Attribution.ATTRIBUTION_FIELDS:
        values[name] = without_refused_characters(request.GET.get(name, "")).strip()[: limits[name]]
    values["campaign"] = slugify(values["campaign"])[: limits["campaign"]]
    if values["source"] not in ALLOWED_SOURCES:
        values["source"] = ""
    return values


def _chosen_currency(request: HttpRequest, *, locale: str) -> tuple[dict, str]:
    """The options for the currency asked for in the URL, else the one the reader's locale suggests.

    A currency asked for that is not enabled is refused in words (the second value), never silently.
    """
    default = selectors.default_currency_for(
        accept_language=request.headers.get("Accept-Language", ""), language=translation.get_language() or ""
    )
    options = selectors.checkout_options(currency=default)
    requested = request.GET.get("currency", "").strip().upper()
    if not requested or requested == default:
        return options, ""
    if requested in options["currencies"]:
        return selectors.checkout_options(currency=requested), ""
    instead = get_currency_name(default, count=2, locale=locale)
    if len(requested) == 3 and is_currency(requested):
        return options, _("%(requested)s is not accepted here; amounts are in %(currency)s.") % {
            "requested": get_currency_name(requested, locale=locale),
            "currency": instead,
        }
    return options, _("This currency is not accepted here; amounts are in %(currency)s.") % {
        "currency": instead
    }


def _membership_labels(user, *, locale: str) -> list[str]:
    """The signed-in reader's memberships that still charge, as "$10.00 a month"."""
    per = {"month": _("%(amount)s a month"), "year": _("%(amount)s a year")}
    memberships = selectors.active_memberships_of(user=user)
    return [
        per[m.interval] % {"amount": format_money(m.amount_minor, m.currency, locale)} for m in memberships
    ]


INTERVAL_OF_FREQUENCY: dict[str, str] = {Frequency.MONTHLY: "month", Frequency.ANNUAL: "year"}


def _tier_offers(*, currency: str, locale: str, frequency: str, amount_minor: int) -> list[dict]:
    """What each tier gives in this currency and the amount that reaches it, monthly and annual.

    `reached` marks the tier the amount shown first reaches (none for a one-off gift).
    """
    per: dict[str, str] = {
        Frequency.MONTHLY: _("From %(amount)s a month"),
        Frequency.ANNUAL: _("From %(amount)s a year"),
    }
    reached = None
    if frequency in INTERVAL_OF_FREQUENCY:
        tier = tiers.tier_reached(
            amount_minor=amount_minor, currency=currency, interval=INTERVAL_OF_FREQUENCY[frequency]
        )
        reached = tier.pk if tier else None
    offers = []
    for offer in tiers.tiers_for_currency(currency=currency):
        minimums = {value: offer.minimum_for(interval) for value, interval in INTERVAL_OF_FREQUENCY.items()}
        offers.append(
            {
                "id": offer.tier.pk,
                "name": offer.tier.name,
                "description": offer.tier.description,
                "benefits": [benefit.name for benefit in offer.benefits],
                "minimums": minimums,
                "minimum_labels": [
                    {
                        "frequency": value,
                        "label": per[value] % {"amount": format_money(minor, currency, locale)},
                    }
                    for value, minor in minimums.items()
                ],
                "reached": offer.tier.pk == reached,
            }
        )
    return offers


def _tier_messages() -> dict:
    return {
        "reached": _("This amount makes you a member of the {tier} tier."),
        "below": {
            Frequency.MONTHLY: _("From {amount} a month, members reach the {tier} tier."),
            Frequency.ANNUAL: _("From {amount} a year, members reach the {tier} tier."),
        },
    }


def _tier_status(offers: list[dict], *, frequency: str, currency: str, locale: str) -> str:
    """The line under the tiers: the tier the amount reaches, or what the first tier takes."""
    if frequency not in INTERVAL_OF_FREQUENCY or not offers:
        return ""
    messages = _tier_messages()
    reached = next((offer for offer in offers if offer["reached"]), None)
    if reached:
        return messages["reached"].format(tier=reached["name"])
    lowest = offers[0]
    return messages["below"][frequency].format(
        amount=format_money(lowest["minimums"][frequency], currency, locale), tier=lowest["name"]
    )


def _messages(frequency_labels: dict[str, str]) -> dict:
    """Every text the page's script may show, translated here so the script needs no catalogue."""
    expired = _("Your card has expired. Check the expiry date or use another card.")
    authentication_failed = _(
        "Your bank could not confirm it was you (3-D Secure failed). Nothing was charged. "
        "Try again or use another card."
    )
    return {
        "amountRequired": _("Choose an amount or enter your own."),
        "amountInvalid": _("Enter the amount as a number, for example 15 or 15.50."),
        "amountNoDecimals": _("This currency has no cents: enter a whole number."),
        "amountTooManyDecimals": _("Use at most {digits} digits after the decimal point."),
        "amountOutOfRange": _("Enter an amount between {min} and {max}."),
        "amountHint": _("Any amount from {min} to {max}."),
        "emailRequired": _("Enter your email address so we can send your receipt."),
        "emailInvalid": _("Enter an email address like name@example.org."),
        "checkFields": _("Please check the highlighted fields."),
        "paymentFailed": _("Your payment did not go through. Nothing was charged."),
        "network": _(
            "We could not reach our server. Check your connection and press the button again: "
            "you will not be charged twice."
        ),
        "retry": _(
            "We could not confirm your payment yet. Press the button again to check: "
            "you will not be charged twice."
        ),
        "unexpected": _("Something went wrong. Please try again."),
        "tooMany": _("Too many attempts. Please wait a little and try again."),
        "cardsUnavailable": _("Card payments are unavailable right now. Nothing was charged."),
        "keyReused": _(
            "Your earlier attempt may already have gone through. Check your email for a receipt "
            "before trying again."
        ),
        "processing": _("Processing your payment…"),
        "authenticating": _("Waiting for your bank to confirm it is you…"),
        "redirecting": _("Payment received. Taking you to your receipt…"),
        "submit": {
            Frequency.ONE_OFF: _("Give {amount} now"),
            Frequency.MONTHLY: _("Give {amount} a month"),
            Frequency.ANNUAL: _("Give {amount} a year"),
        },
        "total": {
            Frequency.ONE_OFF: "{amount}",
            Frequency.MONTHLY: _("{amount} a month"),
            Frequency.ANNUAL: _("{amount} a year"),
        },
        "walletLabel": frequency_labels,
        "card": {
            "card_declined": _("Your card was declined. Try another card or contact your bank."),
            "insufficient_funds": _("Your card has insufficient funds. Try another card."),
            "expired_card": expired,
            "incorrect_cvc": _("The security code (CVC) is incorrect."),
            "incorrect_number": _("The card number is incorrect."),
            "invalid_number": _("The card number is incorrect."),
            "invalid_expiry_month": _("The expiry month is not valid."),
            "invalid_expiry_year": _("The expiry year is not valid."),
            "invalid_expiry_year_past": expired,
            "invalid_expiry_month_past": expired,
            "processing_error": _("The card could not be processed. Please try again."),
            "authentication_failed": authentication_failed,
            "payment_intent_authentication_failure": authentication_failed,
        },
    }


def support(request: HttpRequest) -> HttpResponse:
    """The support page: one-off or membership, amount, details, card; the script pays through the API."""
    return render(request, "checkout/support.html", support_page_context(request))


def support_page_context(request: HttpRequest, *, campaign: str = "") -> dict:
    """Everything the support form needs; a campaign's page (engagement) passes its slug, which every
    gift made on that page carries, whatever the link said."""
    locale = _babel_locale()
    options, currency_notice = _chosen_currency(request, locale=locale)
    currency = options["currency"]
    exponent = options["exponent"]
    frequency = request.GET.get("frequency", Frequency.ONE_OFF)
    if frequency not in Frequency.values:
        frequency = Frequency.ONE_OFF
    frequency_labels: dict[str, str] = {
        Frequency.ONE_OFF: _("One-off gift"),
        Frequency.MONTHLY: _("Monthly membership"),
        Frequency.ANNUAL: _("Annual membership"),
    }
    preset_groups = [
        {
            "frequency": value,
            "label": frequency_labels[value],
            "presets": [
                {
                    "amount_minor": amount,
                    "label": format_money(amount, currency, locale),
                    "is_default": amount == options["presets"][value]["default"],
                }
                for amount in options["presets"][value]["amounts"]
            ],
        }
        for value in Frequency.values
    ]
    default_amount = options["presets"][frequency]["default"] or 0
    attribution = _attribution(request)
    if campaign:
        attribution["campaign"] = campaign
    tier_offers = _tier_offers(
        currency=currency, locale=locale, frequency=frequency, amount_minor=default_amount
    )
    config = {
        "publishableKey": settings.STRIPE_PUBLISHABLE_KEY,
        "accountCountry": getattr(settings, "STRIPE_ACCOUNT_COUNTRY", "US"),
        "currency": currency,
        "exponent": exponent,
        "locale": translation.get_language() or settings.LANGUAGE_CODE,
        "money": money_format_for_script(currency=currency, locale=locale),
        "limits": options["limits"],
        "presetFees": {
            str(amount): fee
            for group in options["presets"].values()
            for amount, fee in zip(group["amounts"], group["fees"], strict=True)
        },
        "signedIn": request.user.is_authenticated,
        "attribution": attribution,
        "urls": {
            "contributions": reverse("api-1:contribution_create"),
            "refresh": reverse("api-1:contribution_refresh", kwargs={"public_id": PLACEHOLDER_ID}),
            "fee": reverse("api-1:checkout_fee"),
            "thankYou": reverse("checkout:thank_you", kwargs={"public_id": PLACEHOLDER_ID}),
        },
        "messages": {**_messages(frequency_labels), "tier": _tier_messages()},
    }
    config["tiers"] = [
        {"id": offer["id"], "name": offer["name"], "minimums": offer["minimums"]} for offer in tier_offers
    ]
    context = {
        "currency": currency,
        "currency_symbol": get_currency_symbol(currency, locale=locale),
        "currencies": [
            {"code": code, "label": f"{get_currency_name(code, locale=locale)} ({code})"}
            for code in options["currencies"]
        ],
        "currency_notice": currency_notice,
        "memberships": _membership_labels(request.user, locale=locale),
        "support_email": settings.DEFAULT_FROM_EMAIL,
        "frequency": frequency,
        "preset_groups": preset_groups,
        "amount_inputmode": "decimal" if exponent else "numeric",
        "amount_pattern": rf"[0-9]+([.,][0-9]{{1,{exponent}}})?" if exponent else "[0-9]+",
        "amount_hint": config["messages"]["amountHint"].format(
            min=format_money(options["limits"][frequency]["min"], currency, locale),
            max=format_money(options["limits"][frequency]["max"], currency, locale),
        ),
        "initial_fee_label": format_money(
            fee_for(amount_minor=default_amount, currency=currency), currency, locale
        ),
        "initial_total_label": format_money(default_amount, currency, locale),
        "initial_submit_label": config["messages"]["submit"][frequency].format(
            amount=format_money(default_amount, currency, locale)
        ),
        "attribution": attribution,
        "tier_offers": tier_offers,
        "tier_status": _tier_status(tier_offers, frequency=frequency, currency=currency, locale=locale),
        "checkout_config": config,
    }
    return context


def thank_you(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """What was paid, settled or still being confirmed, as we have recorded it (a pure read).

    While the payment is undecided, the page's script POSTs the refresh endpoint until it settles.
    """
    try:
        contribution = selectors.contribution_for_reader(public_id=public_id, request=request)
    except NotFoundError as exc:
        raise Http404(exc.message) from None
    locale = _babel_locale()
    currency = contribution.currency
    total_minor = contribution.amount_minor
    frequency = Frequency(contribution.frequency)
    period_labels = {Frequency.MONTHLY: _("a month"), Frequency.ANNUAL: _("a year")}
    upgrade = None
    suggestion = selectors.upgrade_offer_amount(gift=contribution)
    if suggestion is not None:
        upgrade = {
            "amount": suggestion,
            "label": format_money(suggestion, currency, locale),
            "url": reverse("api-1:contribution_upgrade", kwargs={"public_id": contribution.public_id}),
        }
    card_label = ""
    if contribution.card_last4:
        card_label = _("%(brand)s ending in %(last4)s") % {
            "brand": (contribution.card_brand or _("Card")).replace("_", " ").title(),
            "last4": contribution.card_last4,
        }
    refunded_minor = min(contribution.amount_refunded_minor, total_minor)
    tier = None
    if contribution.membership_id and contribution.status == Contribution.Status.SUCCEEDED:
        tier = tiers.membership_tier(membership_id=contribution.membership_id)
    context = {
        "contribution": contribution,
        "status": contribution.status,
        "status_label": contribution.get_status_display(),
        "failure_message": contribution.failure_message,
        "amount_label": format_money(total_minor, currency, locale),
        "fee_label": format_money(contribution.fee_covered_minor, currency, locale)
        if contribution.fee_covered_minor
        else "",
        "refunded_label": format_money(refunded_minor, currency, locale) if refunded_minor else "",
        "remaining_label": format_money(total_minor - refunded_minor, currency, locale)
        if refunded_minor
        else "",
        "frequency_label": frequency.label,
        "period_label": period_labels.get(frequency, ""),
        "card_label": card_label,
        "upgrade": upgrade,
        "tier": tier,
        "tier_benefits": list(tier.benefits.all()) if tier else [],
        "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
        "refresh_url": reverse("api-1:contribution_refresh", kwargs={"public_id": contribution.public_id}),
        "refresh_url_template": reverse("api-1:contribution_refresh", kwargs={"public_id": PLACEHOLDER_ID}),
        "thank_you_url_template": reverse("checkout:thank_you", kwargs={"public_id": PLACEHOLDER_ID}),
    }
    return render(request, "checkout/thank_you.html", context)
