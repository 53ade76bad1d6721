"""Unsubscribing: from the link in every email, and by RFC 8058's one-click POST, without logging in."""

import re

import pytest
from django.core import mail
from django.test import Client

from newsletters.links import list_unsubscribe_headers, unsubscribe_token
from newsletters.models import NewsletterSignup, SignupEvent
from tests.newsletters.factories import SignupFactory
from tests.newsletters.test_signup import confirm_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(ukraine_daily):
    return SignupFactory(
        newsletter=ukraine_daily,
        email="olena@example.org",
        status="confirmed",
        confirmed_at="2026-11-01T08:00Z",
    )


def path_of(url: str) -> str:
    return url.removeprefix("http://testserver")


def test_the_welcome_email_has_one_click_unsubscribe_headers(
    sign_up, client, django_capture_on_commit_callbacks, ukraine_daily
):
    sign_up()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(confirm_link(mail.outbox[-1]))

    welcome = mail.outbox[-1]
    assert re.fullmatch(
        r"<http://testserver/newsletters/unsubscribe/\S+/>", welcome.extra_headers["List-Unsubscribe"]
    )
    assert welcome.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in welcome.message().as_string()
    assert path_of(welcome.extra_headers["List-Unsubscribe"].strip("<>")) in welcome.body


def test_the_link_asks_first_then_unsubscribes_without_logging_in(client, confirmed):
    path = f"/newsletters/unsubscribe/{unsubscribe_token(public_id=str(confirmed.public_id))}/"

    page = client.get(path)
    assert page.status_code == 200
    assert "Stop sending Ukraine Daily to olena@example.org?" in page.content.decode()
    assert NewsletterSignup.objects.get().status == "confirmed"

    response = Client(enforce_csrf_checks=True).post(path)

    assert response.status_code == 200
    signup = NewsletterSignup.objects.get()
    assert signup.status == "unsubscribed"
    assert signup.unsubscribed_at is not None
    assert SignupEvent.objects.get(kind="unsubscribed").how == "link"


def test_a_mail_clients_one_click_post_unsubscribes_with_no_cookie_and_no_token(confirmed):
    url = list_unsubscribe_headers(public_id=str(confirmed.public_id))["List-Unsubscribe"].strip("<>")
    mail_client = Client(enforce_csrf_checks=True)

    response = mail_client.post(path_of(url), {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 200
    assert NewsletterSignup.objects.get().status == "unsubscribed"
    assert SignupEvent.objects.get(kind="unsubscribed").how == "one_click"


def test_unsubscribing_twice_records_it_once(client, confirmed):
    path = f"/newsletters/unsubscribe/{unsubscribe_token(public_id=str(confirmed.public_id))}/"

    client.post(path, {"List-Unsubscribe": "One-Click"})
    second = client.post(path, {"List-Unsubscribe": "One-Click"})

    assert second.status_code == 200
    assert SignupEvent.objects.filter(kind="unsubscribed").count() == 1


def test_a_changed_unsubscribe_link_is_rejected(client, confirmed):
    token = unsubscribe_token(public_id=str(confirmed.public_id))

    response = client.post(f"/newsletters/unsubscribe/{token[:-2]}xx/", {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    assert NewsletterSignup.objects.get().status == "confirmed"


def test_a_waiting_sign_up_can_be_withdrawn_from_its_link(client, ukraine_daily):
    signup = SignupFactory(newsletter=ukraine_daily)

    client.post(f"/newsletters/unsubscribe/{unsubscribe_token(public_id=str(signup.public_id))}/")

    assert NewsletterSignup.objects.get().status == "unsubscribed"
