"""Checkout never asks Stripe for an amount Stripe refuses in its currency (KWD: whole hundredths)."""

import pytest

from checkout.errors import CheckoutError
from checkout.rules import check_amount
from payments.models import Contribution
from tests.checkout.checkout_support import gift, payment_intents, post


def test_kwd_amount_off_stripes_ten_fils_step_is_refused_naming_the_amount():
    with pytest.raises(CheckoutError) as refused:
        check_amount(amount_minor=5005, currency="KWD", frequency="one_off", tightened=False)

    assert refused.value.field == "amount"
    assert "KWD" in refused.value.message
    assert "5.000" in refused.value.message
    assert "5.010" in refused.value.message


def test_kwd_amount_on_stripes_ten_fils_step_is_accepted():
    check_amount(amount_minor=5010, currency="KWD", frequency="one_off", tightened=False)


@pytest.mark.parametrize(("amount", "currency"), [(2501, "USD"), (1001, "JPY"), (5001, "ISK")])
def test_any_whole_minor_unit_is_accepted_where_stripe_takes_every_one(amount, currency):
    check_amount(amount_minor=amount, currency=currency, frequency="one_off", tightened=False)


@pytest.mark.django_db
@pytest.mark.integration
def test_kwd_gift_off_the_step_gets_a_400_and_stripe_is_never_asked(client, localstripe, settings):
    settings.CHECKOUT_CURRENCIES = ["USD", "KWD"]

    response = post(client, gift(amount=5005, currency="KWD"))

    assert response.status_code == 400, response.content
    assert response.json()["error"]["field"] == "amount"
    assert not Contribution.objects.exists()
    assert payment_intents() == []
