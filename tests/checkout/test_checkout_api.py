"""Checkout API through localstripe: gifts, memberships, declines, 3-D Secure, idempotency, currencies."""

import pytest
from django.test import Client

from membership.models import Membership
from payments import gateway
from payments.models import Contribution, LedgerEntry
from tests.checkout.checkout_support import (
    API,
    DECLINED_CARD,
    THREE_D_SECURE_CARD,
    WritesCaptured,
    authenticate,
    charges,
    gift,
    payment_intents,
    payment_method,
    post,
    refresh,
    settled_at_stripe_only,
    stripe_js_card_id,
)
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_one_off_gift_succeeds_and_is_charged_once(client, localstripe):
    response = post(client, gift())

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["card"] == {"brand": "visa", "last4": "4242"}
    contribution = Contribution.objects.get(public_id=body["id"])
    assert (contribution.status, contribution.amount_minor, contribution.currency) == (
        "succeeded",
        2500,
        "USD",
    )
    assert contribution.contributor.email == "reader@example.org"
    assert [(c["amount"], c["currency"]) for c in charges()] == [(2500, "usd")]
    assert LedgerEntry.objects.get().contribution == contribution
    intent = payment_intents()[0]
    assert intent["metadata"]["contribution"] == body["id"]
    assert intent["customer"] == contribution.contributor.stripe_customer_id


def test_monthly_membership_starts_with_its_first_payment(client, localstripe):
    response = post(client, gift(frequency="monthly", amount=1000))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "succeeded"
    assert body["membership"] == {"status": "active", "interval": "month"}
    contribution = Contribution.objects.get(public_id=body["id"])
    membership = contribution.membership
    assert (membership.amount_minor, membership.currency, membership.stripe_plan_id) == (
        1000,
        "USD",
        "plan_monthly_usd_1000",
    )
    assert membership.stripe_subscription_id.startswith("sub_")
    assert contribution.stripe_invoice_id.startswith("in_")
    assert [(c["amount"], c["currency"]) for c in charges()] == [(1000, "usd")]


def test_annual_membership_starts(client, localstripe):
    response = post(client, gift(frequency="annual", amount=10000, currency="EUR"))

    assert response.status_code == 201
    assert response.json()["membership"] == {"status": "active", "interval": "year"}
    assert Membership.objects.get().stripe_plan_id == "plan_annual_eur_10000"


def test_second_membership_of_same_amount_reuses_the_plan(client, localstripe):
    post(client, gift(frequency="monthly", amount=1000))
    post(client, gift(frequency="monthly", amount=1000, email="other@example.org"))

    plans = [plan["id"] for plan in localstripe_plans()]
    assert plans == ["plan_monthly_usd_1000"]
    assert Membership.objects.filter(status="active").count() == 2


def localstripe_plans() -> list[dict]:
    return gateway.client().v1.plans.list({"limit": 100}).to_dict()["data"]


def test_declined_card_answers_402_with_a_reader_safe_reason(client, localstripe):
    response = post(client, gift(payment_method=payment_method(DECLINED_CARD)))

    assert response.status_code == 402
    body = response.json()
    assert body["status"] == "failed"
    assert body["error"]["code"] == "card_declined"
    assert body["error"]["field"] == "payment_method"
    assert "declined" in body["error"]["message"]
    contribution = Contribution.objects.get(public_id=body["id"])
    assert contribution.status == "failed"
    assert contribution.stripe_payment_intent_id  # created first, then confirmed: the id is kept
    assert not LedgerEntry.objects.exists()


def test_declined_membership_answers_402_and_leaves_it_incomplete(client, localstripe):
    response = post(
        client, gift(frequency="monthly", amount=1000, payment_method=payment_method(DECLINED_CARD))
    )

    assert response.status_code == 402
    assert Contribution.objects.get().status == "failed"
    assert Membership.objects.get().status == "incomplete"


def test_card_refused_when_saved_fails_the_membership(client, localstripe):
    response = post(
        client, gift(frequency="monthly", amount=1000, payment_method=payment_method("4000000000000002"))
    )

    assert response.status_code == 402
    assert Contribution.objects.get().status == "failed"
    assert charges() == []


def test_card_refused_when_saved_still_pays_a_one_off_gift_as_guest(client, localstripe):
    response = post(client, gift(payment_method=payment_method("4000000000000002")))

    assert response.status_code == 201
    assert response.json()["status"] == "succeeded"
    assert payment_intents()[0]["customer"] is None


def test_three_d_secure_gift_requires_action_then_shows_succeeded(client, localstripe):
    response = post(client, gift(payment_method=payment_method(THREE_D_SECURE_CARD)))

    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "requires_action"
    assert body["next_action"] == {"type": "use_stripe_sdk"}
    assert body["client_secret"].startswith("pi_")
    assert charges() == []
    contribution = Contribution.objects.get(public_id=body["id"])

    authenticate(
        localstripe,
        payment_intent_id=contribution.stripe_payment_intent_id,
        client_secret=body["client_secret"],
    )
    after = refresh(client, body["id"])

    assert after.status_code == 200
    assert after.json()["status"] == "succeeded"
    assert after.json()["client_secret"] is None
    assert LedgerEntry.objects.get().amount_minor == 2500


def test_failed_three_d_secure_shows_failed(client, localstripe):
    body = post(client, gift(payment_method=payment_method(THREE_D_SECURE_CARD))).json()
    intent_id = Contribution.objects.get().stripe_payment_intent_id

    authenticate(localstripe, payment_intent_id=intent_id, client_secret=body["client_secret"], success=False)
    response = refresh(client, body["id"])
    after = response.json()

    assert response.status_code == 200  # answered like the GET, not 402: the page reads the status

    assert after["status"] == "failed"
    assert after["error"]["code"] == "payment_intent_authentication_failure"


def test_three_d_secure_membership_starts_incomplete_then_becomes_active(client, localstripe):
    body = post(
        client, gift(frequency="monthly", amount=1000, payment_method=payment_method(THREE_D_SECURE_CARD))
    ).json()

    assert body["status"] == "requires_action"
    assert body["membership"]["status"] == "incomplete"
    intent_id = Contribution.objects.get().stripe_payment_intent_id
    authenticate(localstripe, payment_intent_id=intent_id, client_secret=body["client_secret"])

    after = refresh(client, body["id"]).json()

    assert after["status"] == "succeeded"
    assert after["membership"]["status"] == "active"


def test_get_of_a_contribution_settled_at_stripe_writes_nothing_and_asks_stripe_nothing(
    client, localstripe, monkeypatch
):
    contribution = settled_at_stripe_only(client, localstripe)

    def no_stripe(*args, **kwargs):
        raise AssertionError("a GET asked Stripe")

    monkeypatch.setattr(gateway, "retrieve_payment_intent", no_stripe)
    with WritesCaptured() as captured:
        response = client.get(f"{API}/contributions/{contribution.public_id}")

    assert response.status_code == 200
    assert response.json()["status"] == "requires_action"  # what we recorded, not yet what Stripe knows
    assert captured.writes == []
    after = Contribution.objects.get(pk=contribution.pk)
    assert (after.status, after.updated_at) == ("requires_action", contribution.updated_at)
    assert LedgerEntry.objects.count() == 0


def test_refresh_records_what_stripe_says_once(client, localstripe):
    contribution = settled_at_stripe_only(client, localstripe)

    first = refresh(client, str(contribution.public_id))
    recorded = Contribution.objects.get(pk=contribution.pk)
    with WritesCaptured() as captured:
        second = refresh(client, str(contribution.public_id))

    assert (first.status_code, second.status_code) == (200, 200)
    assert first.json()["status"] == second.json()["status"] == "succeeded"
    assert first.json()["card"] == {"brand": "visa", "last4": "3184"}
    assert recorded.status == "succeeded"
    assert LedgerEntry.objects.get().amount_minor == 2500
    assert captured.writes == []  # settled: asked again, nothing changes
    assert Contribution.objects.get(pk=contribution.pk).updated_at == recorded.updated_at
    assert client.get(f"{API}/contributions/{contribution.public_id}").json()["status"] == "succeeded"


def test_refresh_of_someone_elses_contribution_is_404_and_records_nothing(client, localstripe):
    contribution = settled_at_stripe_only(client, localstripe)

    response = refresh(Client(), str(contribution.public_id))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert Contribution.objects.get().status == "requires_action"
    assert not LedgerEntry.objects.exists()


def test_refresh_needs_the_csrf_token(client, localstripe):
    contribution = settled_at_stripe_only(client, localstripe)
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies  # the same session, which owns the contribution

    refused = refresh(strict, str(contribution.public_id))
    refused_status = Contribution.objects.get().status
    strict.get("/support/")  # the page sets the csrftoken cookie
    accepted = refresh(
        strict, str(contribution.public_id), HTTP_X_CSRFTOKEN=strict.cookies["csrftoken"].value
    )

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "csrf_failed"
    assert refused.json()["error"]["message"] == "Please reload the page and try again."
    assert refused_status == "requires_action"  # refused before Stripe was asked
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "succeeded"


def test_same_idempotency_key_twice_charges_once(client, localstripe):
    body = gift()

    first = post(client, body, key="attempt-1")
    second = post(client, body, key="attempt-1")

    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["id"] == first.json()["id"]
    assert Contribution.objects.count() == 1
    assert len(charges()) == 1
    assert len(payment_intents()) == 1


def test_same_idempotency_key_with_another_amount_is_refused(client, localstripe):
    post(client, gift(), key="attempt-1")

    response = post(client, gift(amount=9900), key="attempt-1")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "idempotency_key_reused"
    assert len(charges()) == 1


def test_idempotency_key_replayed_with_another_card_is_refused(client, localstripe):
    post(client, gift(), key="attempt-1")

    response = post(Client(), gift(), key="attempt-1")  # a guessed key, but not the reader's card

    assert response.status_code == 409
    assert len(charges()) == 1


def test_idempotency_key_of_another_account_is_refused(client, localstripe):
    body = gift()
    client.force_login(UserFactory(email="reader@example.org"))
    post(client, body, key="attempt-1")
    intruder = Client()
    intruder.force_login(UserFactory(email="intruder@example.org"))

    response = post(intruder, {**body, "email": "reader@example.org"}, key="attempt-1")

    assert response.status_code == 409


@pytest.mark.parametrize(
    ("currency", "amount", "stripe_currency"),
    [
        ("USD", 2500, "usd"),
        ("EUR", 2500, "eur"),
        ("GBP", 2000, "gbp"),
        ("CAD", 3000, "cad"),
        ("UAH", 50000, "uah"),
        ("JPY", 1000, "jpy"),
    ],
)
def test_each_currency_is_charged_in_its_minor_units(
    client, localstripe, settings, currency, amount, stripe_currency
):
    settings.CHECKOUT_CURRENCIES = ["USD", "EUR", "GBP", "CAD", "UAH", "JPY"]

    response = post(client, gift(currency=currency, amount=amount))

    assert response.status_code == 201, response.json()
    assert response.json()["currency"] == currency
    assert [(c["amount"], c["currency"]) for c in charges()] == [(amount, stripe_currency)]


def test_zero_decimal_amount_is_whole_yen(client, localstripe, settings):
    settings.CHECKOUT_CURRENCIES = ["USD", "JPY"]

    options = client.get(f"{API}/checkout/options", {"currency": "JPY"}).json()

    assert options["exponent"] == 0
    assert options["min_amount"] == 100  # ¥100, not ¥1.00
    assert post(client, gift(currency="JPY", amount=99)).status_code == 400


def test_cover_fee_adds_the_fee_to_the_total_charged(client, localstripe):
    body = post(client, gift(amount=2500, cover_fee=True)).json()

    assert (body["amount"], body["fee_covered"]) == (2606, 106)
    contribution = Contribution.objects.get()
    assert (contribution.amount_minor, contribution.fee_covered_minor) == (2606, 106)
    assert charges()[0]["amount"] == 2606


def test_attribution_dedication_and_anonymity_are_stored(client, localstripe):
    attribution = {
        "campaign": "spring-drive",
        "source": "banner",
        "ref": "https://news.example.org/2026/11/story",
        "variant": "year-end-b",
        "utm_source": "newsletter",
        "utm_medium": "email",
        "utm_campaign": "spring",
        "utm_term": "support",
        "utm_content": "button-a",
    }

    post(client, gift(dedication="For my mother", anonymous=True, **attribution))

    contribution = Contribution.objects.get()
    assert contribution.attribution() == attribution
    assert (contribution.dedication, contribution.anonymous) == ("For my mother", True)
    assert payment_intents()[0]["metadata"]["campaign"] == "spring-drive"
    assert payment_intents()[0]["metadata"]["variant"] == "year-end-b"


def test_attribution_is_kept_on_the_membership(client, localstripe):
    post(client, gift(frequency="monthly", amount=1000, campaign="spring-drive", utm_source="newsletter"))

    membership = Membership.objects.get()
    assert (membership.campaign, membership.utm_source) == ("spring-drive", "newsletter")


def test_email_is_matched_case_insensitively_to_one_contributor(client, localstripe):
    post(client, gift(email="Reader@Example.org"))
    post(client, gift(email="reader@example.org"))

    contributions = Contribution.objects.all()
    assert {c.contributor.email for c in contributions} == {"reader@example.org"}


def test_card_id_from_the_stripe_js_stand_in_pays_a_gift(client, localstripe):
    response = post(client, gift(payment_method=stripe_js_card_id(localstripe)))

    assert response.status_code == 201
    assert response.json()["status"] == "succeeded"
    assert response.json()["upgrade"] is None  # a legacy card cannot be saved for the one-click offer
    assert [c["amount"] for c in charges()] == [2500]
