"""Amounts in other currencies turned into the reporting currency.

Stripe's settlement amounts are used wherever Stripe reported one in the reporting currency (that is
what the newsroom was paid); otherwise the exchange-rate table staff keep: the rate of the day, or
the latest earlier one. Rounding is to the nearest minor unit, halves away from zero.
"""

from bisect import bisect_right
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings

from payments.money import minor_unit_exponent
from reporting.models import ExchangeRate


def reporting_currency() -> str:
    return settings.REPORTING_CURRENCY


class Converter:
    """Rates for some currencies up to a day, loaded in one query; then conversions cost no query."""

    def __init__(self, *, until: date, target: str | None = None) -> None:
        self.target = target or reporting_currency()
        self._days: dict[str, list[date]] = {}
        self._rates: dict[str, list[Decimal]] = {}
        self.missing: set[str] = set()
        rows = (
            ExchangeRate.objects.filter(day__lte=until, quote_currency=self.target)
            .order_by("currency", "day")
            .values_list("currency", "day", "rate")
        )
        for currency, day, rate in rows:
            self._days.setdefault(currency, []).append(day)
            self._rates.setdefault(currency, []).append(rate)

    def rate(self, currency: str, day: date) -> Decimal | None:
        if currency == self.target:
            return Decimal(1)
        days = self._days.get(currency, [])
        index = bisect_right(days, day)
        if index == 0:
            self.missing.add(currency)
            return None
        return self._rates[currency][index - 1]

    def convert(self, amount_minor: int, currency: str, day: date) -> int | None:
        """The amount in the target currency's minor units, or None when no rate is known."""
        if currency == self.target:
            return amount_minor
        rate = self.rate(currency, day)
        if rate is None:
            return None
        shift = minor_unit_exponent(self.target) - minor_unit_exponent(currency)
        exact = Decimal(amount_minor) * rate * (Decimal(10) ** shift)
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))
