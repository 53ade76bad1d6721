"""Confirmation links: signed, expiring, and useless once changed."""

import datetime

import pytest
import time_machine
from django.core import mail

from newsletters.links import confirm_token, confirm_url
from newsletters.models import NewsletterSignup, SignupEvent
from tests.newsletters.factories import NewsletterFactory, SignupFactory
from tests.newsletters.test_signup import confirm_link

pytestmark = pytest.mark.django_db


def test_an_expired_link_is_rejected_and_offers_a_new_sign_up(sign_up, client, settings, ukraine_daily):
    settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS = 7
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        sign_up()
    link = confirm_link(mail.outbox[-1])

    with time_machine.travel(datetime.datetime(2026, 12, 8, 9, 1, tzinfo=datetime.UTC), tick=False):
        response = client.post(link)

    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert NewsletterSignup.objects.get().status == "pending"


def test_a_link_still_works_on_its_last_day(sign_up, client, settings, ukraine_daily):
    settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS = 7
    with time_machine.travel(datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        sign_up()
    link = confirm_link(mail.outbox[-1])

    with time_machine.travel(datetime.datetime(2026, 12, 8, 8, 59, tzinfo=datetime.UTC), tick=False):
        client.post(link)

    assert NewsletterSignup.objects.get().status == "confirmed"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature changed
        lambda token: token[:-6],  # cut short
        lambda token: "x" + token,  # the data changed
    ],
    ids=["signature", "truncated", "payload"],
)
def test_a_tampered_link_is_rejected(client, ukraine_daily, tamper):
    signup = SignupFactory(newsletter=ukraine_daily)
    token = tamper(confirm_token(public_ids=[str(signup.public_id)]))

    response = client.post(f"/newsletters/confirm/{token}/")

    assert response.status_code == 400
    assert "This link does not work" in response.content.decode()
    assert NewsletterSignup.objects.get().status == "pending"


def test_an_unsubscribe_link_cannot_be_used_as_a_confirmation(client, ukraine_daily):
    signup = SignupFactory(newsletter=ukraine_daily)
    from_unsubscribe = confirm_url(public_ids=[str(signup.public_id)]).replace("confirm", "unsubscribe")
    token = from_unsubscribe.rstrip("/").rsplit("/", 1)[-1]

    assert client.post(f"/newsletters/unsubscribe/{token}/").status_code == 400
    assert NewsletterSignup.objects.get().status == "pending"


def test_confirming_twice_records_one_confirmation_and_one_welcome(
    sign_up, client, django_capture_on_commit_callbacks, ukraine_daily
):
    sign_up()
    link = confirm_link(mail.outbox[-1])

    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            client.post(link)

    assert SignupEvent.objects.filter(kind="confirmed").count() == 1
    assert [message.subject for message in mail.outbox[1:]] == ["You're signed up to Ukraine Daily"]


def test_an_old_link_does_not_sign_up_again_after_an_unsubscribe(client, ukraine_daily):
    signup = SignupFactory(newsletter=ukraine_daily, status="unsubscribed")

    response = client.post(f"/newsletters/confirm/{confirm_token(public_ids=[str(signup.public_id)])}/")

    assert response.status_code == 200
    assert NewsletterSignup.objects.get().status == "unsubscribed"


def test_one_link_confirms_every_newsletter_asked_for_at_once(sign_up, client, ukraine_daily):
    NewsletterFactory(slug="investigations")
    sign_up(newsletter=["ukraine-daily", "investigations"])

    client.post(confirm_link(mail.outbox[-1]))

    assert set(NewsletterSignup.objects.values_list("status", flat=True)) == {"confirmed"}
    assert NewsletterSignup.objects.count() == 2
