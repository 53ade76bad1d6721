"""The standard amount ladders: offered until staff set presets for a currency, and loaded as demo data."""

from payments.models import Frequency

# (amounts in minor units, the default) per currency and frequency.
STANDARD_PRESETS: dict[str, dict[str, tuple[list[int], int | None]]] = {
    **{
        code: {
            Frequency.ONE_OFF: ([1000, 2500, 5000, 10000], 2500),
            Frequency.MONTHLY: ([500, 1000, 2000, 5000], 1000),
            Frequency.ANNUAL: ([5000, 10000, 20000, 50000], 10000),
        }
        for code in ("USD", "EUR", "GBP", "CAD")
    },
    "UAH": {
        Frequency.ONE_OFF: ([20000, 50000, 100000, 200000], 50000),
        Frequency.MONTHLY: ([10000, 20000, 50000, 100000], 20000),
        Frequency.ANNUAL: ([100000, 200000, 500000, 1000000], 200000),
    },
    "JPY": {
        Frequency.ONE_OFF: ([1000, 3000, 5000, 10000], 3000),
        Frequency.MONTHLY: ([500, 1000, 2000, 5000], 1000),
        Frequency.ANNUAL: ([5000, 10000, 20000, 50000], 10000),
    },
}
