"""Who may see a contribution, signed-in readers, the one-click membership offer, options and schema."""

import pytest
from django.test import Client

from membership.models import Membership
from payments.models import Contribution
from tests.checkout.checkout_support import (
    API,
    charges,
    gift,
    payment_intents,
    payment_method,
    post,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_contribution_is_visible_to_the_session_that_made_it(client, localstripe):
    created = post(client, gift()).json()

    response = client.get(f"{API}/contributions/{created['id']}")

    assert response.status_code == 200
    assert response.json()["id"] == created["id"]


def test_contribution_is_hidden_from_another_session(client, localstripe):
    created = post(client, gift()).json()

    response = Client().get(f"{API}/contributions/{created['id']}")

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_unknown_contribution_is_404(client):
    response = client.get(f"{API}/contributions/00000000-0000-0000-0000-000000000000")

    assert response.status_code == 404


def test_signed_in_reader_gives_without_typing_an_email_and_owns_it(client, localstripe):
    reader = UserFactory(email="member@example.org")
    client.force_login(reader)
    body = gift()
    del body["email"]

    created = post(client, body).json()

    contribution = Contribution.objects.get(public_id=created["id"])
    assert contribution.user == reader
    assert contribution.contributor.email == "member@example.org"
    assert contribution.contributor.user == reader
    other_browser = Client()
    other_browser.force_login(reader)
    assert other_browser.get(f"{API}/contributions/{created['id']}").status_code == 200


def test_signed_in_reader_cannot_give_under_another_email(client, localstripe):
    client.force_login(UserFactory(email="member@example.org"))

    post(client, gift(email="someone-else@example.org"))

    assert Contribution.objects.get().contributor.email == "member@example.org"


def test_paid_gift_offers_a_monthly_membership_from_the_ladder(client, localstripe):
    body = post(client, gift(amount=5000)).json()

    assert body["upgrade"] == {"suggested_amount": 1000}


def test_one_click_upgrade_reuses_the_card_and_starts_a_monthly_membership(client, localstripe):
    created = post(client, gift(amount=5000, campaign="spring")).json()

    response = post(client, {}, path=f"/contributions/{created['id']}/upgrade")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["membership"] == {"status": "active", "interval": "month"}
    membership = Membership.objects.get()
    assert (membership.amount_minor, membership.currency, membership.campaign) == (1000, "USD", "spring")
    assert [c["amount"] for c in charges()] == [5000, 1000]
    gift_customer = Contribution.objects.get(public_id=created["id"]).contributor.stripe_customer_id
    assert {c["customer"] for c in charges()} == {gift_customer}
    assert post(client, gift()).json()["upgrade"] is not None  # a new gift, a new offer
    assert client.get(f"{API}/contributions/{created['id']}").json()["upgrade"] is None


def test_upgrade_offer_of_a_gift_with_the_fee_covered_is_made_from_the_chosen_amount(client, localstripe):
    created = post(client, gift(amount=4950, cover_fee=True)).json()  # 49.50 chosen, 51.31 charged

    offered = created["upgrade"]["suggested_amount"]
    page = client.get(f"/support/thank-you/{created['id']}/")
    post(client, {}, path=f"/contributions/{created['id']}/upgrade")

    assert offered == 500  # a fifth of 49.50 is 9.90: the rung below is 5.00 (not 10.00 from 51.31)
    assert page.context["upgrade"]["amount"] == offered
    assert Membership.objects.get().amount_minor == offered


def test_upgrade_with_a_chosen_amount(client, localstripe):
    created = post(client, gift(amount=5000)).json()

    post(client, {"amount": 2000}, path=f"/contributions/{created['id']}/upgrade")

    assert Membership.objects.get().amount_minor == 2000


def test_upgrade_clicked_twice_starts_one_membership(client, localstripe):
    created = post(client, gift(amount=5000)).json()

    first = post(client, {}, path=f"/contributions/{created['id']}/upgrade")
    second = post(client, {}, path=f"/contributions/{created['id']}/upgrade")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Membership.objects.count() == 1
    assert len(charges()) == 2


def test_upgrade_of_someone_elses_gift_is_404(client, localstripe):
    created = post(client, gift(amount=5000)).json()

    response = post(Client(), {}, path=f"/contributions/{created['id']}/upgrade")

    assert response.status_code == 404
    assert not Membership.objects.exists()


def test_failed_gift_cannot_be_upgraded(client, localstripe):
    created = post(client, gift(payment_method=payment_method("4000000000000341"))).json()

    response = post(client, {}, path=f"/contributions/{created['id']}/upgrade")

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "upgrade_unavailable"
    assert len(payment_intents()) == 1


def test_checkout_options_list_presets_limits_and_fee(client, localstripe):
    response = client.get(f"{API}/checkout/options", {"currency": "eur"})

    assert response.status_code == 200
    options = response.json()
    assert options["currency"] == "EUR"
    assert options["currencies"] == ["USD", "EUR", "GBP", "CAD", "UAH"]
    assert options["presets"]["monthly"] == {
        "amounts": [500, 1000, 2000, 5000],
        "default": 1000,
        "fees": [41, 56, 86, 176],
    }
    assert (options["min_amount"], options["max_amount"]) == (100, 1_000_000)
    assert "fee" not in options  # the fee comes from the server per amount, never from a published formula


def test_checkout_options_refuse_a_currency_not_enabled(client):
    response = client.get(f"{API}/checkout/options", {"currency": "JPY"})

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "currency"


def test_fee_endpoint_gives_fee_and_total(client):
    response = client.get(f"{API}/checkout/fee", {"currency": "USD", "amount": 2500})

    assert response.json() == {"currency": "USD", "amount": 2500, "fee": 106, "total": 2606}


def test_openapi_schema_is_served(client):
    schema = client.get(f"{API}/openapi.json").json()

    assert "/api/v1/contributions" in schema["paths"]
    assert "/api/v1/contributions/{public_id}/upgrade" in schema["paths"]
    assert set(schema["paths"]["/api/v1/contributions/{public_id}/refresh"]) == {"post"}
    assert set(schema["paths"]["/api/v1/contributions/{public_id}"]) == {"get"}
    assert client.get(f"{API}/docs").status_code == 200
