"""Card-testing protection: limits per IP, per email and per failing card; the site-wide circuit breaker."""

import logging
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone

from checkout.breaker import TRIPPED_KEY, breaker_state
from checkout.ratelimit import Rate, client_ip, parse_rate
from payments.models import Contribution
from tests.checkout.checkout_support import (
    API,
    DECLINED_CARD,
    charges,
    eager_tasks,  # noqa: F401
    gift,
    payment_method,
    post,
)
from tests.factories import ContributionFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.integration, pytest.mark.usefixtures("eager_tasks")]


@pytest.mark.parametrize(
    ("text", "rate"),
    [("20/h", Rate(20, 3600)), ("5/m", Rate(5, 60)), ("100/d", Rate(100, 86400)), ("10/15m", Rate(10, 900))],
)
def test_rate_setting_is_parsed(text, rate):
    assert parse_rate(text) == rate


def test_malformed_rate_setting_is_refused():
    with pytest.raises(ValueError, match="20 per hour"):
        parse_rate("20 per hour")


def test_forwarded_for_is_ignored_without_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9")

    assert client_ip(request) == "10.0.0.1"


def test_forwarded_for_is_read_behind_a_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().post(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9"
    )

    assert client_ip(request) == "203.0.113.9"  # what our proxy saw, not what the client wrote


def test_too_many_attempts_from_one_ip_answer_429(client, localstripe, settings):
    settings.CHECKOUT_RATE_LIMIT = "2/h"
    for number in range(2):
        assert post(client, gift(email=f"r{number}@example.org")).status_code == 201

    response = post(client, gift(email="r9@example.org"))

    assert response.status_code == 429
    assert response.json()["error"]["code"] == "rate_limited"
    assert int(response["Retry-After"]) > 0
    assert Contribution.objects.count() == 2
    assert len(charges()) == 2


def test_ip_limit_counts_per_ip(client, localstripe, settings):
    settings.CHECKOUT_RATE_LIMIT = "1/h"
    assert post(client, gift(), REMOTE_ADDR="10.0.0.1").status_code == 201

    assert post(client, gift(email="b@example.org"), REMOTE_ADDR="10.0.0.2").status_code == 201


def test_spoofed_forwarded_for_does_not_escape_the_ip_limit(client, localstripe, settings):
    settings.CHECKOUT_RATE_LIMIT = "1/h"
    post(client, gift(), HTTP_X_FORWARDED_FOR="198.51.100.1")

    response = post(client, gift(email="b@example.org"), HTTP_X_FORWARDED_FOR="198.51.100.2")

    assert response.status_code == 429


def test_too_many_attempts_for_one_email_answer_429(client, localstripe, settings):
    settings.CHECKOUT_EMAIL_RATE_LIMIT = "2/h"
    for address in ("10.0.0.1", "10.0.0.2"):
        post(client, gift(), REMOTE_ADDR=address)

    response = post(client, gift(email="READER@example.org"), REMOTE_ADDR="10.0.0.3")

    assert response.status_code == 429
    assert Contribution.objects.count() == 2


def test_a_card_that_keeps_failing_is_refused_before_stripe_is_asked(client, localstripe, settings):
    settings.CHECKOUT_CARD_FAILURE_LIMIT = "2/h"
    for number in range(2):
        response = post(
            client, gift(email=f"t{number}@example.org", payment_method=payment_method(DECLINED_CARD))
        )
        assert response.status_code == 402

    response = post(client, gift(email="t9@example.org", payment_method=payment_method(DECLINED_CARD)))

    assert response.status_code == 429
    assert response.json()["error"]["field"] == "payment_method"
    assert Contribution.objects.count() == 2
    assert post(client, gift(email="t9@example.org")).status_code == 201  # another card still works


def _recent_failures(count: int, *, succeeded: int = 0) -> None:
    ContributionFactory.create_batch(count, status=Contribution.Status.FAILED)
    ContributionFactory.create_batch(succeeded, status=Contribution.Status.SUCCEEDED)


@pytest.fixture
def breaker_settings(settings):
    settings.CHECKOUT_BREAKER_MIN_ATTEMPTS = 10
    settings.CHECKOUT_BREAKER_FAILURE_RATE = 0.5
    settings.CHECKOUT_BREAKER_WINDOW_MINUTES = 15
    settings.CHECKOUT_BREAKER_MIN_MULTIPLIER = 5
    settings.CHECKOUT_BREAKER_RATE_DIVISOR = 4
    settings.CHECKOUT_RATE_LIMIT = "8/h"
    return settings


def test_breaker_stays_closed_below_the_minimum_sample(breaker_settings):
    _recent_failures(9)

    assert breaker_state().tripped is False


def test_breaker_stays_closed_at_a_normal_failure_rate(breaker_settings):
    _recent_failures(2, succeeded=18)

    assert breaker_state().tripped is False


def test_breaker_trips_when_failures_rise_and_raises_the_one_off_minimum(
    client, localstripe, breaker_settings
):
    _recent_failures(12, succeeded=3)

    small = post(client, gift(amount=200))
    options = client.get("/api/v1/checkout/options", {"currency": "USD"}).json()

    assert small.status_code == 400
    assert small.json()["error"]["field"] == "amount"
    assert options["min_amount"] == 500
    assert options["limits"]["monthly"]["min"] == 100  # memberships keep their minimum
    assert post(client, gift(amount=500, email="b@example.org")).status_code == 201


def test_breaker_makes_the_ip_limit_stricter(client, localstripe, breaker_settings):
    _recent_failures(12)

    statuses = [post(client, gift(amount=1000, email=f"r{n}@example.org")).status_code for n in range(3)]

    assert statuses == [201, 201, 429]  # 8/h ÷ 4


def test_breaker_alerts_staff_once_per_trip(
    client, localstripe, breaker_settings, caplog, django_capture_on_commit_callbacks
):
    UserFactory(email="editor@example.org", is_staff=True)
    breaker_settings.ADMINS = [("Ops", "ops@example.org")]
    _recent_failures(12)

    with (
        caplog.at_level(logging.ERROR, logger="checkout.breaker"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        post(client, gift(amount=1000))
        post(client, gift(amount=1000, email="b@example.org"))

    alerts = [message for message in mail.outbox if "Checkout tightened" in message.subject]
    assert sorted(message.to[0] for message in alerts) == ["editor@example.org", "ops@example.org"]
    assert [record.levelname for record in caplog.records if "tripped" in record.message] == ["ERROR"]


def test_breaker_relaxes_when_failures_fall_back_and_alerts_again_on_the_next_trip(
    client, localstripe, breaker_settings, django_capture_on_commit_callbacks
):
    UserFactory(email="editor@example.org", is_staff=True)
    _recent_failures(12)
    with django_capture_on_commit_callbacks(execute=True):
        assert breaker_state().tripped is True
    Contribution.objects.update(created_at=timezone.now() - timedelta(minutes=16))

    assert breaker_state().tripped is False
    assert post(client, gift(amount=200)).status_code == 201

    _recent_failures(12)
    with django_capture_on_commit_callbacks(execute=True):
        assert breaker_state().tripped is True
        assert breaker_state().tripped is True
    assert len([m for m in mail.outbox if "Checkout tightened" in m.subject]) == 2


def test_pages_that_only_read_show_a_tripped_breaker_but_leave_the_alert_to_the_next_payment(
    client, localstripe, breaker_settings, django_capture_on_commit_callbacks
):
    UserFactory(email="editor@example.org", is_staff=True)
    _recent_failures(12)

    with django_capture_on_commit_callbacks(execute=True) as queued:
        page = client.get("/support/?currency=USD")
        options = client.get(f"{API}/checkout/options", {"currency": "USD"}).json()

    assert page.status_code == 200
    assert options["min_amount"] == 500  # the tightened minimum shows
    assert queued == []
    assert cache.get(TRIPPED_KEY) is None
    with django_capture_on_commit_callbacks(execute=True):
        post(client, gift(amount=1000))
    assert cache.get(TRIPPED_KEY) is True
    assert len([m for m in mail.outbox if "Checkout tightened" in m.subject]) == 1
