"""Money on checkout's pages: one format per locale and currency, Babel's, for the server and the script.

The server formats with `payments.money.format_money`. The page's script formats amounts the reader types,
so it gets Babel's pattern spelled out (`money_format_for_script`): what goes before and after the number,
the separators and the grouping. The script then writes what Babel writes ("UAH500.00" in English, where
the browser's own Intl.NumberFormat writes "UAH 500.00").
"""

from babel import Locale
from babel.numbers import get_decimal_symbol, get_group_symbol

from payments.money import format_money, minor_unit_exponent


def money_format_for_script(*, currency: str, locale: str) -> dict:
    """Babel's currency format for `locale`, as data: {prefix, suffix, decimal, group, grouping, exponent}.

    The prefix and suffix are cut from Babel's own text for zero ("UAH0.00", "0,00 ₴"), so the currency
    sign, its spacing and its side are Babel's, not a copy of its rules.
    """
    exponent = minor_unit_exponent(currency)
    decimal = get_decimal_symbol(locale)
    zero = "0" + (decimal + "0" * exponent if exponent else "")
    prefix, found, suffix = format_money(0, currency, locale).partition(zero)
    if not found:
        raise ValueError(f"Babel's format of {currency} in {locale} has no plain number in it")
    pattern = Locale.parse(locale).currency_formats["standard"]
    primary, secondary = pattern.grouping
    return {
        "prefix": prefix,
        "suffix": suffix,
        "decimal": decimal,
        "group": get_group_symbol(locale),
        "grouping": [primary, secondary],
        "exponent": exponent,
    }
