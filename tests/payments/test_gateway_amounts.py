"""Stripe's amount rules per currency: our CLDR minor units in, the integer Stripe wants out, and back."""

import pytest

from payments import gateway
from tests.payments import stripe_flows as flows

# Stripe's zero-decimal list (its docs, "Zero-decimal currencies"), UGX aside: it is a special case.
STRIPE_ZERO_DECIMAL = ["BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND", "VUV"]
STRIPE_ZERO_DECIMAL += ["XAF", "XOF", "XPF"]
STRIPE_THREE_DECIMAL = ["BHD", "JOD", "KWD", "OMR", "TND"]


def test_us_dollar_cents_go_to_stripe_unchanged():
    assert gateway.to_stripe_amount(1234, "USD") == 1234
    assert gateway.from_stripe_amount(1234, "USD") == 1234
    assert gateway.smallest_step_minor("USD") == 1


def test_yen_go_to_stripe_as_whole_yen():
    assert gateway.to_stripe_amount(500, "JPY") == 500
    assert gateway.from_stripe_amount(500, "JPY") == 500
    assert gateway.smallest_step_minor("JPY") == 1


@pytest.mark.parametrize("currency", STRIPE_ZERO_DECIMAL)
def test_every_stripe_zero_decimal_currency_goes_as_whole_units(currency):
    assert gateway.to_stripe_amount(1001, currency) == 1001
    assert gateway.smallest_step_minor(currency) == 1


def test_icelandic_kronur_go_to_stripe_with_two_decimals_always_00():
    # CLDR: ISK has no decimals, so 5 kr. is 5 in our minor units; Stripe wants 500.
    assert gateway.to_stripe_amount(5, "ISK") == 500
    assert gateway.from_stripe_amount(500, "ISK") == 5
    assert gateway.smallest_step_minor("ISK") == 1


def test_stripe_isk_amount_with_fractions_of_a_krona_is_refused_not_rounded():
    with pytest.raises(gateway.UnexpectedStripeAmountError, match="ISK amount 12345"):
        gateway.from_stripe_amount(12345, "ISK")


def test_ugandan_shillings_go_to_stripe_with_two_decimals_always_00():
    assert gateway.to_stripe_amount(5000, "UGX") == 500000
    assert gateway.from_stripe_amount(500000, "UGX") == 5000
    assert gateway.smallest_step_minor("UGX") == 1


@pytest.mark.parametrize("currency", ["HUF", "TWD"])
def test_forint_and_taiwan_dollar_charges_keep_their_two_decimals(currency):
    assert gateway.to_stripe_amount(1050, currency) == 1050
    assert gateway.from_stripe_amount(1050, currency) == 1050
    assert gateway.smallest_step_minor(currency) == 1


@pytest.mark.parametrize("currency", ["HUF", "TWD"])
def test_forint_and_taiwan_dollar_payouts_are_recorded_as_whole_units_only(currency):
    assert gateway.stripe_rule(currency).payout_multiple == 100
    assert gateway.stripe_rule(currency).multiple == 1


def test_kuwaiti_dinar_go_to_stripe_in_fils_in_steps_of_ten():
    assert gateway.to_stripe_amount(1230, "KWD") == 1230
    assert gateway.from_stripe_amount(1230, "KWD") == 1230
    assert gateway.smallest_step_minor("KWD") == 10


def test_kuwaiti_dinar_amount_whose_last_digit_is_not_zero_is_refused_before_stripe():
    with pytest.raises(gateway.AmountNotAcceptedError, match=r"1230 and 1240") as refused:
        gateway.to_stripe_amount(1235, "KWD")

    assert (refused.value.currency, refused.value.step_minor) == ("KWD", 10)
    assert isinstance(refused.value, gateway.GatewayError)


@pytest.mark.parametrize("currency", STRIPE_THREE_DECIMAL)
def test_every_three_decimal_currency_steps_by_ten_fils(currency):
    assert gateway.smallest_step_minor(currency) == 10


def test_a_currency_stripe_does_not_list_is_two_decimal_there_whatever_cldr_says():
    # Albanian lek: CLDR gives no decimals; Stripe's default is two-decimal, so 1,000 lek is 100000.
    assert gateway.to_stripe_amount(1000, "ALL") == 100000
    assert gateway.from_stripe_amount(100000, "ALL") == 1000


def test_currency_code_case_does_not_matter():
    assert gateway.to_stripe_amount(5, "isk") == gateway.to_stripe_amount(5, "ISK") == 500


@pytest.mark.parametrize(
    ("amount", "rounded"), [(1231, 1240), (1239, 1240), (1240, 1240), (0, 0), (1, 10), (-5, 0)]
)
def test_kuwaiti_dinar_rounds_up_to_the_next_ten_fils(amount, rounded):
    assert gateway.round_up_to_step(amount, "KWD") == rounded


ROUND_TRIP_CURRENCIES = ["USD", "EUR", "JPY", "ISK", "UGX", "HUF", "TWD", "KWD", "BHD", "ALL", "XOF"]


@pytest.mark.parametrize("currency", ROUND_TRIP_CURRENCIES)
def test_every_accepted_amount_comes_back_from_stripe_as_it_went(currency):
    step = gateway.smallest_step_minor(currency)
    rule = gateway.stripe_rule(currency)
    amounts = [*range(-50 * step, 5000 * step, 7 * step), 10**12 * step]

    for amount in amounts:
        sent = gateway.to_stripe_amount(amount, currency)
        assert sent % rule.multiple == 0, (currency, amount, sent)
        assert gateway.from_stripe_amount(sent, currency) == amount, (currency, amount, sent)


@pytest.mark.parametrize("currency", ROUND_TRIP_CURRENCIES)
def test_rounding_up_gives_the_nearest_amount_stripe_accepts(currency):
    step = gateway.smallest_step_minor(currency)

    for amount in range(0, 3000):
        rounded = gateway.round_up_to_step(amount, currency)
        assert 0 <= rounded - amount < step, (currency, amount, rounded)
        gateway.to_stripe_amount(rounded, currency)  # accepted: no AmountNotAcceptedError


@pytest.mark.parametrize("currency", ["KWD", "BHD"])
def test_an_amount_off_the_step_is_always_refused(currency):
    step = gateway.smallest_step_minor(currency)

    for amount in range(1, 3000):
        if amount % step:
            with pytest.raises(gateway.AmountNotAcceptedError):
                gateway.to_stripe_amount(amount, currency)


# What Stripe sees (localstripe), through the gateway's calls.


def _intent(amount: int, currency: str) -> gateway.PaymentIntent:
    return gateway.create_payment_intent(
        amount=amount,
        currency=currency,
        payment_method_id=flows.card_payment_method(),
        idempotency_key=f"test:{currency}:{amount}",
    )


@pytest.mark.integration
def test_isk_payment_intent_reaches_stripe_with_two_decimals_and_reads_back_in_kronur(localstripe):
    intent = _intent(5000, "ISK")

    assert gateway.client().v1.payment_intents.retrieve(intent.id).amount == 500000
    assert (intent.amount, intent.currency) == (5000, "ISK")
    assert gateway.retrieve_payment_intent(intent.id).amount == 5000


@pytest.mark.integration
def test_kwd_payment_intent_stripe_would_refuse_is_never_sent(localstripe):
    with pytest.raises(gateway.AmountNotAcceptedError):
        _intent(1235, "KWD")

    assert list(gateway.client().v1.payment_intents.list().data) == []


@pytest.mark.integration
def test_isk_refund_reaches_stripe_with_two_decimals_in_the_intents_currency(localstripe):
    intent_id = flows.paid_intent(amount=500000, currency="isk")

    refund = gateway.create_refund(
        payment_intent_id=intent_id,
        amount=1000,
        currency="ISK",
        idempotency_key="test:isk:refund",
        metadata={},
    )

    assert gateway.client().v1.refunds.retrieve(refund.id).amount == 100000
    assert (refund.amount, refund.currency) == (1000, "ISK")


@pytest.mark.integration
def test_isk_plan_carries_stripes_integer_in_its_amount_and_id(localstripe):
    plan = gateway.get_or_create_plan(
        amount=5000, currency="ISK", interval="month", product_id="prod_isk", product_name="Membership"
    )

    assert plan.id == "plan_monthly_isk_500000"
    assert gateway.client().v1.plans.retrieve(plan.id).amount == 500000
    assert (plan.amount, plan.currency) == (5000, "ISK")


@pytest.mark.integration
def test_kwd_plan_stripe_would_refuse_is_never_created(localstripe):
    with pytest.raises(gateway.AmountNotAcceptedError):
        gateway.get_or_create_plan(
            amount=1235, currency="KWD", interval="month", product_id="prod_kwd", product_name="Membership"
        )

    assert list(gateway.client().v1.plans.list().data) == []
