"""The processing-fee estimate a reader may choose to cover (Stripe's card pricing, per currency)."""

from dataclasses import dataclass

from payments import gateway
from payments.money import minor_unit_exponent

PERCENT_BASIS_POINTS = 290
# Stripe's fixed part per card payment, in minor units; other currencies: 0.30 of a major unit.
FIXED_FEE_MINOR = {"USD": 30, "CAD": 30, "EUR": 25, "GBP": 20, "UAH": 1200, "JPY": 50}


@dataclass(frozen=True)
class FeeFormula:
    percent_basis_points: int
    fixed_minor: int


def fee_formula(*, currency: str) -> FeeFormula:
    fixed = FIXED_FEE_MINOR.get(currency)
    if fixed is None:
        fixed = 3 * 10 ** max(minor_unit_exponent(currency) - 1, 0)
    return FeeFormula(percent_basis_points=PERCENT_BASIS_POINTS, fixed_minor=fixed)


def fee_for(*, amount_minor: int, currency: str) -> int:
    """What to add so that, after Stripe's fee on the total, the newsroom receives `amount_minor`.

    total = ceil((amount + fixed) / (1 - percent)), in integers (basis points), rounded up, then up
    again to the next amount Stripe accepts in the currency (KWD: a multiple of 10 fils), so the
    reader is never asked for a total Stripe would refuse.
    """
    formula = fee_formula(currency=currency)
    keep = 10_000 - formula.percent_basis_points
    total = -(-(amount_minor + formula.fixed_minor) * 10_000 // keep)
    return gateway.round_up_to_step(total, currency) - amount_minor
