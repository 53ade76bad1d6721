"""The gateway reads both localstripe's 2017-08-15 shapes and today's Stripe shapes."""

import pytest

from payments import gateway
from tests.stripe_fixtures import stripe_object


def test_todays_payment_intent_with_charge_id_only_is_parsed():
    data = stripe_object("payment_intent", status="succeeded", latest_charge="ch_123", amount=1500)

    intent = gateway.parse_payment_intent(data)

    assert intent.latest_charge_id == "ch_123"
    assert intent.latest_charge is None
    assert (intent.amount, intent.currency) == (1500, "USD")


def test_old_payment_intent_with_charges_list_gives_the_latest_charge():
    charge = stripe_object("charge", id="ch_old", amount=700, currency="eur")
    data = stripe_object("payment_intent", latest_charge=None, charges={"data": [charge]})

    intent = gateway.parse_payment_intent(data)

    assert intent.latest_charge_id == "ch_old"
    assert intent.latest_charge.amount == 700
    assert intent.latest_charge.currency == "EUR"


def test_todays_subscription_reads_period_end_and_price_from_its_items():
    data = stripe_object("subscription")
    data["items"]["data"][0]["current_period_end"] = 1_800_000_000

    subscription = gateway.parse_subscription(data)

    assert subscription.current_period_end == 1_800_000_000
    assert subscription.amount == 2000
    assert subscription.interval == "month"


def test_old_subscription_reads_plan_and_period_end_from_the_top_level():
    data = {
        "id": "sub_old",
        "status": "active",
        "customer": "cus_1",
        "created": 1,
        "current_period_end": 1_700_000_000,
        "plan": {"id": "plan_1", "amount": 500, "currency": "gbp", "interval": "year"},
        "items": {"data": [{"plan": {"id": "plan_1", "amount": 500}, "quantity": 1}]},
        "cancel_at_period_end": False,
        "latest_invoice": "in_1",
    }

    subscription = gateway.parse_subscription(data)

    assert (subscription.amount, subscription.currency, subscription.interval) == (500, "GBP", "year")
    assert subscription.current_period_end == 1_700_000_000
    assert subscription.latest_invoice_id == "in_1"


def test_balance_transaction_rate_is_kept_as_decimal_text_not_float():
    data = stripe_object("balance_transaction", exchange_rate=0.912345, fee=59)

    balance = gateway.parse_balance_transaction(data)

    assert balance.exchange_rate == "0.912345"
    assert balance.fee == 59


# Amounts are read in our minor units (CLDR): ISK has none, Stripe sends two decimals, always 00.


def test_isk_payment_intent_and_its_charge_are_read_in_whole_kronur():
    charge = stripe_object("charge", id="ch_isk", amount=500000, amount_refunded=100000, currency="isk")
    data = stripe_object("payment_intent", amount=500000, currency="isk", latest_charge=charge)

    intent = gateway.parse_payment_intent(data)

    assert (intent.amount, intent.currency) == (5000, "ISK")
    assert (intent.latest_charge.amount, intent.latest_charge.amount_refunded) == (5000, 1000)


def test_isk_balance_transaction_amount_fee_and_net_are_read_in_kronur():
    data = stripe_object("balance_transaction", amount=500000, fee=17500, net=482500, currency="isk")

    balance = gateway.parse_balance_transaction(data)

    assert (balance.amount, balance.fee, balance.net, balance.currency) == (5000, 175, 4825, "ISK")


def test_balance_transaction_is_read_in_its_own_currency_not_the_charges():
    # An ISK charge settled in euros: the balance transaction's integers are cents, left as they are.
    charge = stripe_object(
        "charge",
        amount=500000,
        currency="isk",
        balance_transaction=stripe_object(
            "balance_transaction", amount=3312, fee=121, net=3191, currency="eur"
        ),
    )

    parsed = gateway.parse_charge(charge)

    assert parsed.amount == 5000
    assert (parsed.balance_transaction.amount, parsed.balance_transaction.fee) == (3312, 121)


@pytest.mark.parametrize(
    ("name", "parse", "field"),
    [
        ("refund", gateway.parse_refund, "amount"),
        ("dispute", gateway.parse_dispute, "amount"),
        ("payout", gateway.parse_payout, "amount"),
    ],
)
def test_isk_refund_dispute_and_payout_amounts_are_read_in_kronur(name, parse, field):
    data = stripe_object(name, amount=250000, currency="isk")

    assert getattr(parse(data), field) == 2500


def test_isk_invoice_amount_paid_is_read_in_kronur():
    data = stripe_object("invoice", status="paid", amount_paid=500000, currency="isk")

    assert gateway.parse_invoice(data).amount_paid == 5000


def test_isk_plan_amount_is_read_in_kronur():
    data = {"id": "plan_monthly_isk_500000", "amount": 500000, "currency": "isk", "interval": "month"}

    assert gateway.parse_plan(data).amount == 5000


def test_ugx_subscription_amount_is_the_price_times_quantity_in_shillings():
    data = stripe_object("subscription", currency="ugx")
    data["items"]["data"][0]["price"].update(unit_amount=500000, currency="ugx")
    data["items"]["data"][0]["quantity"] = 2

    subscription = gateway.parse_subscription(data)

    assert (subscription.amount, subscription.currency) == (10000, "UGX")


def test_kwd_amounts_are_read_in_fils_unchanged():
    data = stripe_object("payment_intent", amount=1230, currency="kwd")

    assert gateway.parse_payment_intent(data).amount == 1230


def test_isk_amount_from_stripe_with_fractions_of_a_krona_is_refused_not_rounded():
    data = stripe_object("refund", amount=12345, currency="isk")

    with pytest.raises(gateway.UnexpectedStripeAmountError):
        gateway.parse_refund(data)


def test_isk_fee_with_fractions_of_a_krona_is_rounded_so_the_payment_is_still_recorded():
    data = stripe_object("balance_transaction", amount=500000, fee=17550, net=482450, currency="isk")

    balance = gateway.parse_balance_transaction(data)

    assert (balance.amount, balance.fee, balance.net) == (5000, 176, 4824)


def test_a_stripe_time_of_zero_is_the_epoch_where_a_time_is_required_and_unset_where_optional():
    assert gateway.timestamp_from_stripe(0).year == 1970
    assert gateway.datetime_from_stripe(0) is None
