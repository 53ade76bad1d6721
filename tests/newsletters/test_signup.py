"""Signing up: double opt-in, the same answer whoever asks, clear errors, and rate limits."""

import re

import pytest
from django.core import mail
from django.test import Client

from newsletters.models import NewsletterSignup, SignupEvent
from tests.newsletters.factories import NewsletterFactory, SignupFactory

pytestmark = pytest.mark.django_db


def confirm_link(message) -> str:
    return re.search(r"http://testserver(/newsletters/confirm/\S+/)", message.body).group(1)


def test_a_sign_up_is_not_subscribed_before_it_is_confirmed(sign_up, ukraine_daily):
    sign_up("Olena@Example.org")

    signup = NewsletterSignup.objects.get()
    assert (signup.email, signup.status, signup.confirmed_at) == ("olena@example.org", "pending", None)


def test_the_page_then_says_a_confirmation_email_was_sent(sign_up, client, ukraine_daily):
    response = sign_up()

    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Thank you for signing up" in page
    assert "We&#x27;ve sent you a confirmation email" in page


def test_the_confirmation_email_carries_a_link_that_confirms_by_post(sign_up, client, ukraine_daily):
    sign_up()
    link = confirm_link(mail.outbox[-1])

    assert client.get(link).status_code == 200  # a mail scanner opening the link signs nobody up
    assert NewsletterSignup.objects.get().status == "pending"
    client.post(link)

    signup = NewsletterSignup.objects.get()
    assert signup.status == "confirmed"
    assert signup.confirmed_at is not None


def test_consent_is_recorded_with_its_time_and_the_text_shown(sign_up, client, ukraine_daily):
    page = client.get("/").content.decode()
    shown = re.search(r'id="footer-consent">([^<]+)<', page).group(1)

    sign_up()

    signup = NewsletterSignup.objects.get()
    assert signup.consent_text == shown.replace("&#x27;", "'")
    assert signup.consent_at is not None
    event = SignupEvent.objects.get()
    assert (event.kind, event.how, event.consent_text) == ("requested", "footer", signup.consent_text)


def test_a_new_a_waiting_and_a_signed_up_email_get_the_same_answer(sign_up, ukraine_daily):
    SignupFactory(newsletter=ukraine_daily, email="waiting@example.org")
    SignupFactory(
        newsletter=ukraine_daily,
        email="member@example.org",
        status="confirmed",
        confirmed_at="2026-01-01T00:00Z",
    )

    answers = [sign_up(email) for email in ("new@example.org", "waiting@example.org", "member@example.org")]

    assert {(answer.status_code, answer["Location"], answer.content) for answer in answers} == {
        (302, "/newsletters/thanks/", b"")
    }


def test_a_signed_up_email_is_not_sent_a_new_confirmation(sign_up, ukraine_daily):
    SignupFactory(
        newsletter=ukraine_daily,
        email="member@example.org",
        status="confirmed",
        confirmed_at="2026-01-01T00:00Z",
    )

    sign_up("member@example.org")

    assert mail.outbox == []
    assert NewsletterSignup.objects.get().status == "confirmed"


def test_the_json_answer_is_the_same_for_a_new_and_an_existing_email(client, celery_eager, ukraine_daily):
    SignupFactory(
        newsletter=ukraine_daily,
        email="member@example.org",
        status="confirmed",
        confirmed_at="2026-01-01T00:00Z",
    )

    answers = [
        client.post("/newsletters/signup/", {"email": email}, HTTP_ACCEPT="application/json")
        for email in ("new@example.org", "member@example.org")
    ]

    assert answers[0].status_code == answers[1].status_code == 200
    assert answers[0].json() == answers[1].json()


def test_a_wrong_email_gets_a_clear_message(client, ukraine_daily):
    response = client.post("/newsletters/signup/", {"email": "olena@", "source": "footer"})

    assert response.status_code == 400
    assert "Please enter a correct email address." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert NewsletterSignup.objects.count() == 0


def test_a_wrong_email_in_json_names_the_field(client, ukraine_daily):
    response = client.post("/newsletters/signup/", {"email": "not an email"}, HTTP_ACCEPT="application/json")

    assert response.status_code == 400
    assert response.json()["error"]["field"] == "email"
    assert response.json()["error"]["message"] == "Please enter a correct email address."


def test_the_newsletters_page_signs_up_to_the_ones_ticked(client, celery_eager, ukraine_daily):
    investigations = NewsletterFactory(slug="investigations", is_default=False)

    client.post("/newsletters/signup/", {"email": "olena@example.org", "newsletter": ["investigations"]})

    assert list(NewsletterSignup.objects.values_list("newsletter", flat=True)) == [investigations.pk]


def test_an_unknown_newsletter_is_refused(client, ukraine_daily):
    response = client.post("/newsletters/signup/", {"email": "olena@example.org", "newsletter": ["nope"]})

    assert response.status_code == 400
    assert NewsletterSignup.objects.count() == 0


def test_a_bot_that_fills_the_trap_field_is_answered_as_usual_and_not_recorded(sign_up, ukraine_daily):
    response = sign_up(website="https://spam.example")

    assert response.status_code == 302
    assert NewsletterSignup.objects.count() == 0
    assert mail.outbox == []


def test_signing_up_twice_keeps_one_sign_up_and_sends_one_email_each_time(sign_up, ukraine_daily):
    sign_up("olena@example.org")
    sign_up("OLENA@example.org")

    assert NewsletterSignup.objects.count() == 1
    assert len(mail.outbox) == 2
    assert SignupEvent.objects.filter(kind="requested").count() == 2


def test_past_the_per_address_limit_no_more_emails_go_out_but_the_answer_is_the_same(
    sign_up, settings, ukraine_daily
):
    settings.NEWSLETTER_SIGNUP_EMAIL_RATE = "2/h"

    answers = [sign_up("olena@example.org") for _ in range(4)]

    assert {answer.status_code for answer in answers} == {302}
    assert len(mail.outbox) == 2


def test_too_many_sign_ups_from_one_address_are_refused_with_retry_after(client, settings, ukraine_daily):
    settings.NEWSLETTER_SIGNUP_IP_RATE = "3/h"

    answers = [client.post("/newsletters/signup/", {"email": f"r{n}@example.org"}) for n in range(4)]

    assert [answer.status_code for answer in answers] == [302, 302, 302, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert "Too many sign-ups" in answers[-1].content.decode()
    assert NewsletterSignup.objects.count() == 3


def test_the_embedded_form_posts_from_the_news_site_without_a_csrf_token(ukraine_daily, celery_eager):
    news_site = Client(enforce_csrf_checks=True, HTTP_ORIGIN="https://news.example")

    response = news_site.post("/newsletters/signup/", {"email": "olena@example.org", "source": "embed"})

    assert response.status_code == 302
    assert NewsletterSignup.objects.get().source == "embed"


def test_the_footer_and_the_thank_you_form_carry_the_same_consent_sentence(client, ukraine_daily):
    page = client.get("/").content.decode()

    assert 'action="/newsletters/signup/"' in page
    assert "I agree to receive these newsletters by email" in page


def test_a_sign_up_after_unsubscribing_waits_for_a_new_confirmation(sign_up, ukraine_daily):
    SignupFactory(newsletter=ukraine_daily, email="olena@example.org", status="unsubscribed")

    sign_up("olena@example.org")

    assert NewsletterSignup.objects.get().status == "pending"
    assert len(mail.outbox) == 1
