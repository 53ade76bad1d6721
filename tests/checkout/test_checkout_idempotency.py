"""Idempotency toward Stripe: keys derived from our rows, retries that never charge twice, double submits."""

import threading
from datetime import timedelta

import pytest
import requests
from django.db import connection
from django.test import Client
from django.utils import timezone

from checkout import guards
from payments import gateway
from payments.models import Contribution
from tests.checkout.checkout_support import (
    charges,
    gift,
    payment_intents,
    payment_method,
    post,
)

pytestmark = [pytest.mark.integration]


@pytest.fixture
def stripe_requests(monkeypatch):
    """Every request the Stripe SDK sends, with its Idempotency-Key (a spy: the request still goes out)."""
    sent = []
    original = requests.Session.request

    def spy(self, method, url, *args, **kwargs):
        headers = kwargs.get("headers") or {}
        sent.append((method.upper(), url.split("/v1/", 1)[-1].split("?")[0], headers.get("Idempotency-Key")))
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", spy)
    return sent


@pytest.mark.django_db
def test_money_moving_calls_carry_keys_derived_from_the_contribution(client, localstripe, stripe_requests):
    body = gift()
    stripe_requests.clear()

    public_id = post(client, body).json()["id"]

    keys = {
        path.split("/")[-1] if "/" in path else path: key
        for method, path, key in stripe_requests
        if method == "POST"
    }
    assert keys["payment_intents"] == f"contribution:{public_id}:payment_intent"
    assert keys["confirm"] == f"contribution:{public_id}:confirm"
    assert keys["attach"] == f"contribution:{public_id}:attach"
    contributor_id = Contribution.objects.get().contributor_id
    assert keys["customers"] == f"contributor:{contributor_id}:customer"


@pytest.mark.django_db
def test_subscription_carries_a_key_derived_from_the_membership(client, localstripe, stripe_requests):
    post(client, gift(frequency="monthly", amount=1000))

    membership_id = Contribution.objects.get().membership_id
    [key] = [key for method, path, key in stripe_requests if method == "POST" and path == "subscriptions"]
    assert key == f"membership:{membership_id}:subscription"


@pytest.mark.django_db
def test_a_retried_stripe_call_sends_the_same_key(localstripe, stripe_requests):
    method = payment_method()
    for _attempt in range(2):
        gateway.create_payment_intent(
            amount=500,
            currency="USD",
            payment_method_id=method,
            idempotency_key="contribution:x:payment_intent",
        )

    keys = [key for verb, path, key in stripe_requests if verb == "POST" and path == "payment_intents"]
    assert keys == ["contribution:x:payment_intent"] * 2  # Stripe answers the second with the first intent


@pytest.mark.django_db
def test_retry_after_a_lost_answer_charges_once_and_reports_the_success(client, localstripe, monkeypatch):
    real_confirm = gateway.confirm_payment_intent

    def confirm_then_lose_the_answer(*args, **kwargs):
        real_confirm(*args, **kwargs)
        raise gateway.GatewayError("connection reset")

    monkeypatch.setattr(gateway, "confirm_payment_intent", confirm_then_lose_the_answer)
    body = gift()

    first = post(client, body, key="attempt-1")
    monkeypatch.setattr(gateway, "confirm_payment_intent", real_confirm)
    second = post(client, body, key="attempt-1")

    assert first.status_code == 502
    assert first.json()["error"]["code"] == "payment_unavailable"
    assert second.status_code == 200
    assert second.json()["status"] == "succeeded"
    assert len(payment_intents()) == 1
    assert len(charges()) == 1
    assert Contribution.objects.get().status == "succeeded"


@pytest.mark.django_db(transaction=True)
def test_concurrent_double_submit_records_and_charges_once(localstripe, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database that serves two connections at once (PostgreSQL)")
    browser = Client()
    post(browser, gift(), key="warm-up")  # the session both tabs share
    barrier = threading.Barrier(2, timeout=10)
    real_card = guards.card_for_checkout

    def card_after_both_looked_up(payment_method_id):
        barrier.wait()  # both requests passed the Idempotency-Key lookup: now race to insert
        return real_card(payment_method_id)

    monkeypatch.setattr(guards, "card_for_checkout", card_after_both_looked_up)
    body = gift(email="double@example.org")
    answers = []

    def submit():
        tab = Client()
        tab.cookies = browser.cookies
        answers.append(post(tab, body, key="double-submit"))
        connection.close()

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(answer.status_code for answer in answers) == [200, 201]
    assert len({answer.json()["id"] for answer in answers}) == 1
    assert Contribution.objects.filter(idempotency_key="double-submit").count() == 1
    assert [c["amount"] for c in charges()] == [2500, 2500]  # the warm-up and one of the two


@pytest.mark.django_db
@pytest.mark.parametrize("cover_fee", [False, True])
def test_the_fee_choice_is_part_of_what_the_idempotency_key_stands_for(client, localstripe, cover_fee):
    body = gift(cover_fee=cover_fee)
    first = post(client, body, key="attempt-fee")

    again = post(client, body, key="attempt-fee")
    changed = post(client, {**body, "cover_fee": not cover_fee}, key="attempt-fee")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "idempotency_key_reused"
    assert Contribution.objects.count() == 1
    assert [charge["amount"] for charge in charges()] == [2606 if cover_fee else 2500]


@pytest.mark.django_db
@pytest.mark.parametrize("frequency", ["one_off", "monthly"])
def test_pressing_again_after_stripe_failed_before_any_payment_existed_completes_it_once(
    client, localstripe, monkeypatch, frequency
):
    def stripe_down(**kwargs):
        raise gateway.GatewayError("Stripe customer create failed: connection refused")

    with monkeypatch.context() as patched:
        patched.setattr(gateway, "create_customer", stripe_down)
        first = post(client, gift(frequency=frequency), key="press-1")
    contribution = Contribution.objects.get()
    assert first.status_code == 502
    assert (contribution.status, contribution.stripe_payment_intent_id) == ("pending", None)
    # The reader presses again once the first request is surely over.
    Contribution.objects.filter(pk=contribution.pk).update(created_at=timezone.now() - timedelta(minutes=1))

    again = post(
        client, gift(frequency=frequency, payment_method=contribution.stripe_payment_method_id), key="press-1"
    )

    assert again.status_code == 200, again.json()
    assert again.json()["status"] == "succeeded"
    assert Contribution.objects.count() == 1
    assert len(charges()) == 1


@pytest.mark.django_db
def test_pressing_again_while_the_first_request_may_still_run_answers_pending_and_calls_stripe_no_more(
    client, localstripe, monkeypatch
):
    def stripe_down(**kwargs):
        raise gateway.GatewayError("Stripe customer create failed: connection refused")

    monkeypatch.setattr(gateway, "create_customer", stripe_down)
    post(client, gift(), key="press-2")
    contribution = Contribution.objects.get()

    again = post(client, gift(payment_method=contribution.stripe_payment_method_id), key="press-2")

    assert again.status_code == 200
    assert again.json()["status"] == "pending"
    assert payment_intents() == []
