"""Checkout when Stripe is down, failing or hung: the reader hears the truth, soon, and the site answers.

Each test starts its own broken Stripe (a stopped localstripe, a server answering 500, a server that never
answers) on a free loopback port and stops it at the end. Timeouts and retries are the configured defaults.
"""

import threading
import time

import pytest
import requests
from django.conf import settings as django_settings

from payments import gateway
from payments.models import Contribution, Contributor
from tests.checkout.checkout_support import gift, payment_method, post
from tests.localstripe import LocalStripe
from tests.stripe_faults import FailingStripe, SilentStripe

pytestmark = [pytest.mark.resilience, pytest.mark.integration]

NOTHING_CHARGED = "Nothing was charged"
MARGIN_SECONDS = 1.5  # the answer after the last Stripe timeout: rendering, a loaded two-core machine


@pytest.fixture
def stopped_stripe(settings):
    """A localstripe of this test's own that knew the reader's card, then stopped (by its PID)."""
    server = LocalStripe().start()
    try:
        settings.STRIPE_API_BASE = server.url
        card = payment_method()
    finally:
        server.stop()
    assert server.process is not None
    assert server.process.poll() is not None  # stopped: nothing listens there now
    return card


@pytest.fixture
def hung_stripe(settings):
    with SilentStripe() as server:
        settings.STRIPE_API_BASE = server.url
        yield server


@pytest.fixture
def failing_stripe(settings):
    with FailingStripe() as server:
        settings.STRIPE_API_BASE = server.url
        yield server


@pytest.mark.django_db
def test_gift_while_stripe_is_stopped_answers_502_payment_unavailable_saying_nothing_was_charged(
    client, stopped_stripe
):
    response = post(client, gift(payment_method=stopped_stripe))

    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "payment_unavailable"
    assert NOTHING_CHARGED in error["message"]
    assert "field" not in error  # not the card's fault


@pytest.mark.django_db
def test_gift_while_stripe_is_stopped_leaves_no_contribution_behind(client, stopped_stripe):
    post(client, gift(payment_method=stopped_stripe))

    # The card is read before anything is recorded: no pending row that would never be paid.
    assert not Contribution.objects.exists()
    assert not Contributor.objects.exists()


@pytest.mark.django_db
def test_gift_while_stripe_answers_500_answers_502_payment_unavailable(client, failing_stripe):
    response = post(client, gift(payment_method="pm_card_visa"))

    assert response.status_code == 502
    assert response.json()["error"]["code"] == "payment_unavailable"
    assert NOTHING_CHARGED in response.json()["error"]["message"]
    assert failing_stripe.accepted == 1 + django_settings.STRIPE_MAX_NETWORK_RETRIES


@pytest.mark.django_db
def test_payment_method_stripe_does_not_know_is_still_a_card_error(client, localstripe):
    response = post(client, gift(payment_method="pm_does_not_exist"))

    assert response.status_code == 400
    assert response.json()["error"] == {
        "code": "invalid",
        "field": "payment_method",
        "message": "We could not read this card. Please enter it again.",
    }


@pytest.mark.django_db
def test_gift_while_stripe_hangs_answers_502_within_the_reader_budget(client, hung_stripe):
    started = time.monotonic()
    response = post(client, gift(payment_method="pm_card_visa"))
    elapsed = time.monotonic() - started

    budget = django_settings.STRIPE_READER_BUDGET_SECONDS
    print(
        f"\nhung Stripe: checkout answered {response.status_code} after {elapsed:.2f} s (budget {budget} s)"
    )
    assert response.status_code == 502
    assert NOTHING_CHARGED in response.json()["error"]["message"]
    assert elapsed < budget + MARGIN_SECONDS
    assert not Contribution.objects.exists()


@pytest.mark.django_db
def test_stripe_hanging_at_confirmation_says_the_outcome_is_unknown_and_keeps_the_pending_contribution(
    client, localstripe, settings, monkeypatch
):
    real_confirm = gateway.confirm_payment_intent

    with SilentStripe() as silent:

        def confirm_on_a_hung_stripe(*args, **kwargs):
            settings.STRIPE_API_BASE = silent.url  # Stripe stops answering just as the charge is sent
            return real_confirm(*args, **kwargs)

        monkeypatch.setattr(gateway, "confirm_payment_intent", confirm_on_a_hung_stripe)
        response = post(client, gift())

    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "payment_unavailable"
    assert NOTHING_CHARGED not in error["message"]
    assert "you will not be charged twice" in error["message"]
    contribution = Contribution.objects.get()
    assert contribution.status == "pending"
    assert contribution.stripe_payment_intent_id  # the same key again asks Stripe what became of it


def _timed_get(url: str) -> tuple[int, float]:
    started = time.monotonic()
    status = requests.get(url, timeout=30).status_code
    return status, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_site_keeps_answering_while_checkouts_wait_for_a_hung_stripe(live_server, hung_stripe):
    budget = django_settings.STRIPE_READER_BUDGET_SECONDS
    answers: list[tuple[int, str, float]] = []

    def checkout(index: int) -> None:
        reader = requests.Session()
        reader.get(f"{live_server.url}/support/?currency=USD", timeout=30)
        started = time.monotonic()
        response = reader.post(
            f"{live_server.url}/api/v1/contributions",
            json=gift(payment_method=f"pm_reader_{index}", email=f"reader{index}@example.org"),
            headers={"X-CSRFToken": reader.cookies["csrftoken"], "Idempotency-Key": f"hung-{index}"},
            timeout=60,
        )
        answers.append((response.status_code, response.json()["error"]["code"], time.monotonic() - started))

    readers = [threading.Thread(target=checkout, args=(index,)) for index in range(3)]
    for reader in readers:
        reader.start()
    deadline = time.monotonic() + 10
    while hung_stripe.accepted < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert hung_stripe.accepted >= 3  # three checkouts are now waiting for Stripe

    home = _timed_get(f"{live_server.url}/")
    health = _timed_get(f"{live_server.url}/healthz")
    health_body = requests.get(f"{live_server.url}/healthz", timeout=30).json()
    for reader in readers:
        reader.join(timeout=60)

    print(
        f"\nwhile 3 checkouts waited: home {home[0]} in {home[1]:.2f} s, "
        f"/healthz {health[0]} in {health[1]:.2f} s"
    )
    print(
        "checkouts: "
        + ", ".join(f"{status} {code} after {seconds:.2f} s" for status, code, seconds in answers)
    )
    assert home[0] == 200
    assert home[1] < 2
    assert health[0] == 503
    assert health[1] < 3
    assert health_body["failing"] == ["stripe"]
    assert len(answers) == 3
    for status, code, seconds in answers:
        assert (status, code) == (502, "payment_unavailable")
        assert seconds < budget + MARGIN_SECONDS
