"""What checkout accepts: enabled currencies, amount limits in the currency's minor units, valid requests."""

import re
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from checkout.errors import CheckoutError
from payments import gateway
from payments.limits import AmountLimits, amount_limits
from payments.models import Frequency
from payments.money import format_money

PAYMENT_METHOD_PATTERN = re.compile(r"^(pm|card)_[A-Za-z0-9_]{1,250}$")

# Control characters (C0, DEL, C1) and lone surrogates: nothing a reader types into our one-line fields
# (tab and line breaks included), and PostgreSQL refuses NUL in text and cannot encode a surrogate.
# The ranges read the same in Python and in JSON Schema (ECMA-262), so the OpenAPI schema shows them.
CONTROL_RANGES = r"\u0000-\u001f\u007f-\u009f"
REFUSED_TEXT = re.compile(rf"[{CONTROL_RANGES}\ud800-\udfff]")


def has_refused_characters(text: str) -> bool:
    """True when the text holds a character no text field of ours stores (see `REFUSED_TEXT`)."""
    return bool(REFUSED_TEXT.search(text))


def without_refused_characters(text: str) -> str:
    """The text with those characters dropped, for input we must never refuse (the page's query string)."""
    return REFUSED_TEXT.sub("", text)


def enabled_currencies() -> list[str]:
    """Currencies staff enabled (`CHECKOUT_CURRENCIES`), in the order they are offered."""
    return list(settings.CHECKOUT_CURRENCIES)


def amount_bounds() -> AmountLimits:
    """The widest limits over the enabled currencies (for the OpenAPI schema; each currency has its own)."""
    limits = [amount_limits(currency=currency) for currency in enabled_currencies()]
    return AmountLimits(
        min_minor=min(limit.min_minor for limit in limits), max_minor=max(limit.max_minor for limit in limits)
    )


def enabled_currency(code: str | None) -> str:
    """The upper-case code when staff enabled it; otherwise a CheckoutError naming `currency`."""
    currency = (code or "").strip().upper()
    if currency not in enabled_currencies():
        raise CheckoutError(
            _("We do not accept this currency. Choose one of: %(currencies)s.")
            % {"currencies": ", ".join(enabled_currencies())},
            field="currency",
        )
    return currency


@dataclass(frozen=True)
class CheckoutRequest:
    amount_minor: int
    currency: str
    frequency: str
    email: str
    payment_method_id: str
    name: str = ""
    cover_fee: bool = False
    attribution: dict[str, str] = field(default_factory=dict)
    dedication: str = ""
    anonymous: bool = False
    language: str = ""  # the page's language: the receipt and reminders are written in it


def check_amount(*, amount_minor: int, currency: str, frequency: str, tightened: bool) -> None:
    """Within the limits, and an amount Stripe accepts in that currency (KWD: whole hundredths)."""
    limits = amount_limits(currency=currency, frequency=frequency, tightened=tightened)
    if not limits.min_minor <= amount_minor <= limits.max_minor:
        raise CheckoutError(
            _("Please choose an amount between %(min)s and %(max)s.")
            % {
                "min": format_money(limits.min_minor, currency),
                "max": format_money(limits.max_minor, currency),
            },
            field="amount",
        )
    step = gateway.smallest_step_minor(currency)
    if amount_minor % step:
        lower = amount_minor - amount_minor % step
        raise CheckoutError(
            _("Card payments in %(currency)s go in steps of %(step)s: please choose %(lower)s or %(higher)s.")
            % {
                "currency": currency,
                "step": format_money(step, currency),
                "lower": format_money(lower, currency),
                "higher": format_money(lower + step, currency),
            },
            field="amount",
        )


def validated_request(checkout: CheckoutRequest, *, tightened: bool) -> CheckoutRequest:
    """Checks no schema can express; raises CheckoutError naming the field, before anything is written."""
    currency = enabled_currency(checkout.currency)
    if checkout.frequency not in Frequency.values:
        raise CheckoutError(_("Choose once, monthly or annual."), field="frequency")
    check_amount(
        amount_minor=checkout.amount_minor,
        currency=currency,
        frequency=checkout.frequency,
        tightened=tightened,
    )
    email = (checkout.email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise CheckoutError(_("Please enter a valid email address."), field="email") from None
    method = checkout.payment_method_id or ""
    if not PAYMENT_METHOD_PATTERN.match(method):
        raise CheckoutError(_("Please enter your card details."), field="payment_method")
    if checkout.frequency != Frequency.ONE_OFF and not method.startswith("pm_"):
        raise CheckoutError(_("This card cannot be saved for a membership."), field="payment_method")
    campaign = checkout.attribution.get("campaign", "")
    if campaign and not re.fullmatch(r"[-a-zA-Z0-9_]+", campaign):
        raise CheckoutError(_("Campaign must be a slug."), field="campaign")
    return replace(checkout, currency=currency, email=email)
