"""Money as integer minor units plus an ISO 4217 code; exponents come from Babel's CLDR data."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_currency, get_currency_precision, is_currency
from django.utils import translation


class InvalidCurrencyError(ValueError):
    pass


def normalise_currency(code: str) -> str:
    """Upper-case ISO 4217 code, or InvalidCurrencyError for anything Babel does not know."""
    if not isinstance(code, str) or len(code) != 3 or not code.isalpha():
        raise InvalidCurrencyError(f"{code!r} is not a three-letter ISO 4217 currency code")
    code = code.upper()
    if not is_currency(code):
        raise InvalidCurrencyError(f"{code} is not an ISO 4217 currency code")
    return code


@cache
def minor_unit_exponent(currency: str) -> int:
    """Digits after the decimal point: 2 for EUR, 0 for JPY (CLDR, via Babel)."""
    return get_currency_precision(normalise_currency(currency))


def to_major(amount_minor: int, currency: str) -> Decimal:
    """An exact Decimal for display and CSV only; never stored."""
    return Decimal(amount_minor).scaleb(-minor_unit_exponent(currency))


def from_major(amount_major: Decimal | str | int, currency: str) -> int:
    """Minor units from a major-unit amount; refuses amounts finer than the currency allows."""
    value = Decimal(str(amount_major)).scaleb(minor_unit_exponent(currency))
    if value != value.to_integral_value():
        raise ValueError(f"{amount_major} has more decimals than {currency} allows")
    return int(value)


def format_day(value: date | datetime | None, *, language: str) -> str:
    """A day as readers of `language` write it ("14 December 2026" in English)."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, format="long", locale=_locale(translation.to_locale(language)))


def format_money(amount_minor: int, currency: str, locale: str = "en") -> str:
    """Locale-aware text such as '$12.50', '¥1,000' or '12,50 ₴'."""
    return format_currency(to_major(amount_minor, currency), currency, locale=_locale(locale))


@cache
def _locale(name: str) -> Locale:
    """Parsed once per name: a report page formats hundreds of amounts."""
    return Locale.parse(name, sep="-" if "-" in name else "_")


@dataclass(frozen=True)
class Money:
    amount_minor: int
    currency: str

    def __post_init__(self) -> None:
        if not isinstance(self.amount_minor, int) or isinstance(self.amount_minor, bool):
            raise TypeError("amount_minor must be an int")
        object.__setattr__(self, "currency", normalise_currency(self.currency))

    def format(self, locale: str = "en") -> str:
        return format_money(self.amount_minor, self.currency, locale)

    def __str__(self) -> str:
        return self.format()
