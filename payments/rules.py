"""What checkout accepts: enabled currencies and amount limits, in the currency's own minor units."""

from dataclasses import dataclass

from django.conf import settings

from payments.models import Frequency
from payments.money import minor_unit_exponent


def enabled_currencies() -> list[str]:
    """Currencies staff enabled (`CHECKOUT_CURRENCIES`), in the order they are offered."""
    return list(settings.CHECKOUT_CURRENCIES)


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
