"""Money helpers: integer minor units, exponents from CLDR, formatting only at the edge."""

import pytest

from payments.money import (
    InvalidCurrencyError,
    format_money,
    from_major,
    minor_unit_exponent,
    normalise_currency,
)


def test_zero_decimal_currency_has_exponent_zero():
    assert minor_unit_exponent("JPY") == 0
    assert minor_unit_exponent("uah") == 2


def test_from_major_refuses_more_decimals_than_the_currency_has():
    assert from_major("12.34", "EUR") == 1234
    assert from_major("1000", "JPY") == 1000
    with pytest.raises(ValueError, match="more decimals than JPY allows"):
        from_major("10.5", "JPY")


def test_unknown_currency_is_rejected():
    with pytest.raises(InvalidCurrencyError):
        normalise_currency("XYZ")


def test_formatting_follows_the_locale():
    assert format_money(1250, "USD", "en") == "$12.50"
    assert format_money(1000, "JPY", "en") == "¥1,000"
    assert format_money(1250, "UAH", "uk") == "12,50\xa0₴"
