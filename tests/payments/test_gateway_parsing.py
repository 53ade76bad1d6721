"""The gateway reads both localstripe's 2017-08-15 shapes and today's Stripe shapes."""

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
