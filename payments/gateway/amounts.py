"""Stripe's amount rules per currency, and the one conversion between our minor units and Stripe's integers.

Our stored minor units follow CLDR (Babel): ISK has 0 decimals, KWD 3, HUF 2. Stripe's API has rules of
its own for some currencies (its docs, "Supported currencies": "Zero-decimal currencies",
"Three-decimal currencies" and "Special cases"), so every amount that crosses the gateway goes through
`to_stripe_amount` (sent) or `from_stripe_amount` (parsed), and nowhere else.

Pure: no `stripe` import. The CLDR exponent is read from Babel here, as `payments.money` does: the
import-linter layers keep `money` and `gateway` independent of each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from math import gcd
from types import MappingProxyType

from babel.numbers import get_currency_precision

from payments.gateway.errors import GatewayError


class AmountNotAcceptedError(GatewayError):
    """An amount Stripe would refuse in its currency (KWD 1.235: Stripe takes only 1.230 or 1.240)."""

    def __init__(self, message: str, *, amount_minor: int, currency: str, step_minor: int) -> None:
        super().__init__(message)
        self.amount_minor = amount_minor
        self.currency = currency
        self.step_minor = step_minor


class UnexpectedStripeAmountError(GatewayError):
    """Stripe sent an integer our minor units cannot hold (ISK 123.45): refused loudly, never rounded."""


@dataclass(frozen=True)
class StripeCurrencyRule:
    """How Stripe writes amounts of one currency in its API.

    `exponent`: digits after the point in Stripe's integer (`amount=1000` is 10.00 at exponent 2).
    `multiple`: Stripe's integer must be a multiple of this (10: the last digit of a three-decimal
    amount is 0; 100: a two-decimal amount whose decimals are always 00).
    `payout_multiple`: the same rule for payouts where it is stricter than for charges. We never create
    payouts (Stripe pays out on its schedule, we only read them), so this is recorded, not enforced.
    """

    exponent: int
    multiple: int = 1
    payout_multiple: int | None = None


# Stripe's amount rules, the one table. Every currency not listed is two-decimal at Stripe ("All
# currencies are two-decimal unless noted"), whatever CLDR says.
STRIPE_CURRENCY_RULES: Mapping[str, StripeCurrencyRule] = MappingProxyType(
    {
        # Zero-decimal: the integer is whole units (¥500 is 500). CLDR agrees for all of them.
        "BIF": StripeCurrencyRule(exponent=0),
        "CLP": StripeCurrencyRule(exponent=0),
        "DJF": StripeCurrencyRule(exponent=0),
        "GNF": StripeCurrencyRule(exponent=0),
        "JPY": StripeCurrencyRule(exponent=0),
        "KMF": StripeCurrencyRule(exponent=0),
        "KRW": StripeCurrencyRule(exponent=0),
        "MGA": StripeCurrencyRule(exponent=0),
        "PYG": StripeCurrencyRule(exponent=0),
        "RWF": StripeCurrencyRule(exponent=0),
        "VND": StripeCurrencyRule(exponent=0),
        "VUV": StripeCurrencyRule(exponent=0),
        "XAF": StripeCurrencyRule(exponent=0),
        "XOF": StripeCurrencyRule(exponent=0),
        "XPF": StripeCurrencyRule(exponent=0),
        # Three-decimal: the integer is thousandths, and Stripe requires its last digit to be 0
        # (5.124 KWD must be sent as 5120 or 5130).
        "BHD": StripeCurrencyRule(exponent=3, multiple=10),
        "JOD": StripeCurrencyRule(exponent=3, multiple=10),
        "KWD": StripeCurrencyRule(exponent=3, multiple=10),
        "OMR": StripeCurrencyRule(exponent=3, multiple=10),
        "TND": StripeCurrencyRule(exponent=3, multiple=10),
        # Special cases.
        # ISK: zero-decimal in CLDR and, since 2023-10-17, for Stripe too; for backwards compatibility
        # Stripe still takes two decimals, always 00 (5 ISK is 500).
        "ISK": StripeCurrencyRule(exponent=2, multiple=100),
        # UGX: listed among Stripe's zero-decimal currencies but, for backwards compatibility, sent with
        # two decimals that are always 00 (USh 5,000 is 500000), like ISK. CLDR: 0 decimals.
        "UGX": StripeCurrencyRule(exponent=2, multiple=100),
        # HUF, TWD: two-decimal for charges (as CLDR), zero-decimal for payouts: a manual payout must be
        # a multiple of 100. We implement the charge rule; payouts are only read.
        "HUF": StripeCurrencyRule(exponent=2, payout_multiple=100),
        "TWD": StripeCurrencyRule(exponent=2, payout_multiple=100),
    }
)
TWO_DECIMAL = StripeCurrencyRule(exponent=2)


def stripe_rule(currency: str) -> StripeCurrencyRule:
    """Stripe's rule for a currency (case-insensitive); two-decimal when the table does not list it."""
    return STRIPE_CURRENCY_RULES.get(currency.upper(), TWO_DECIMAL)


def _shift(currency: str) -> tuple[StripeCurrencyRule, int]:
    """The rule and how many more digits Stripe's integer has than ours (negative: fewer)."""
    rule = stripe_rule(currency)
    return rule, rule.exponent - get_currency_precision(currency.upper())


def smallest_step_minor(currency: str) -> int:
    """The smallest step, in OUR minor units, that Stripe accepts: 10 for KWD, 1 for USD, JPY and ISK."""
    rule, shift = _shift(currency)
    if shift >= 0:
        factor = 10**shift
        return rule.multiple // gcd(rule.multiple, factor)
    return 10**-shift * rule.multiple


def round_up_to_step(amount_minor: int, currency: str) -> int:
    """The smallest amount Stripe accepts that is not below `amount_minor` (KWD 1.231 becomes 1.240)."""
    step = smallest_step_minor(currency)
    return -(-amount_minor // step) * step


def to_stripe_amount(amount_minor: int, currency: str) -> int:
    """Our minor units as the integer Stripe wants; AmountNotAcceptedError for one Stripe would refuse."""
    if not isinstance(amount_minor, int) or isinstance(amount_minor, bool):
        raise TypeError(f"amount_minor must be an int, not {type(amount_minor).__name__}")
    step = smallest_step_minor(currency)
    if amount_minor % step:
        lower = amount_minor - amount_minor % step
        raise AmountNotAcceptedError(
            f"Stripe accepts {currency.upper()} amounts only in steps of {step} minor units: "
            f"{amount_minor} is not one (the nearest are {lower} and {lower + step})",
            amount_minor=amount_minor,
            currency=currency.upper(),
            step_minor=step,
        )
    _rule, shift = _shift(currency)
    return amount_minor * 10**shift if shift >= 0 else amount_minor // 10**-shift


def from_stripe_amount(amount: int, currency: str, *, exact: bool = True) -> int:
    """Stripe's integer (an amount, a fee, a net) back in our minor units.

    `exact` (what a reader paid or was refunded): an amount our minor units cannot hold is an error,
    never rounded. Off (a balance transaction's fee and net, which Stripe computes and may leave
    with fractions of a krona): rounded half to even, so the payment is still recorded.
    """
    _rule, shift = _shift(currency)
    if shift <= 0:
        return int(amount) * 10**-shift
    factor = 10**shift
    if not exact:
        return int((Decimal(int(amount)) / factor).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    if int(amount) % factor:
        raise UnexpectedStripeAmountError(
            f"Stripe's {currency.upper()} amount {amount} has fractions that {currency.upper()} minor "
            f"units cannot hold (Stripe's integer has {shift} more digits than ours)"
        )
    return int(amount) // factor
