"""Amount limits for gifts and memberships, from settings, in each currency's minor units."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from payments.models import Frequency
from payments.money import minor_unit_exponent


@dataclass(frozen=True)
class AmountLimits:
    min_minor: int
    max_minor: int


def amount_limits(
    *, currency: str, frequency: str = Frequency.ONE_OFF, tightened: bool = False
) -> AmountLimits:
    """Limits from settings in major units, scaled by the currency's exponent (¥1,000 is 1000).

    While the circuit breaker is tripped the one-off minimum rises: card testers use tiny gifts.
    """
    default = (settings.CHECKOUT_MIN_AMOUNT_MAJOR, settings.CHECKOUT_MAX_AMOUNT_MAJOR)
    low, high = settings.CHECKOUT_AMOUNT_LIMITS_MAJOR.get(currency, default)
    scale = 10 ** minor_unit_exponent(currency)
    minimum = low * scale
    if tightened and frequency == Frequency.ONE_OFF:
        minimum *= settings.CHECKOUT_BREAKER_MIN_MULTIPLIER
    return AmountLimits(min_minor=minimum, max_minor=high * scale)
