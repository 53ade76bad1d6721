"""No page tells whether an email has an account: the same answer for one that has and one that has not."""

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db]

KNOWN = "reader@example.org"
UNKNOWN = "nobody@example.org"
PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture(autouse=True)
def reader():
    user = UserFactory(email=KNOWN)
    EmailAddress.objects.create(user=user, email=KNOWN, verified=True, primary=True)
    return user


def answer(response, email: str) -> tuple[int, str, str]:
    """Status, redirect target and page text, with the email itself taken out."""
    text = response.content.decode().replace(email, "EMAIL")
    text = "\n".join(line for line in text.splitlines() if "csrfmiddlewaretoken" not in line)
    return response.status_code, response.get("Location", ""), text


def test_a_wrong_password_reads_the_same_with_or_without_an_account(client):
    answers = [
        answer(client.post(reverse("account_login"), {"login": email, "password": "wrong-password"}), email)
        for email in (KNOWN, UNKNOWN)
    ]

    assert answers[0] == answers[1]
    assert answers[0][0] == 200


def test_signing_up_reads_the_same_with_or_without_an_account(client):
    answers = []
    for email in (KNOWN, UNKNOWN):
        client.logout()
        response = client.post(
            reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD}
        )
        answers.append(answer(response, email))

    assert answers[0] == answers[1]
    assert answers[0][0] == 302


def test_password_reset_reads_the_same_with_or_without_an_account(client):
    answers = [
        answer(client.post(reverse("account_reset_password"), {"email": email}), email)
        for email in (KNOWN, UNKNOWN)
    ]

    assert answers[0] == answers[1]
    assert answers[0][1] == reverse("account_reset_password_done")


def test_asking_for_a_sign_in_code_reads_the_same_with_or_without_an_account(client):
    answers = []
    for email in (KNOWN, UNKNOWN):
        client.logout()
        response = client.post(reverse("account_request_login_code"), {"email": email})
        answers.append(answer(response, email))

    assert answers[0] == answers[1]
    assert answers[0][1] == reverse("account_confirm_login_code")


def test_asking_for_sign_in_codes_again_and_again_is_rate_limited(client):
    """allauth's limit (3 a minute per email) answers with a form error, for any email alike."""
    for _attempt in range(3):
        client.logout()
        assert client.post(reverse("account_request_login_code"), {"email": KNOWN}).status_code == 302

    client.logout()
    refused = client.post(reverse("account_request_login_code"), {"email": KNOWN})

    assert refused.status_code == 200
    assert "Too many failed login attempts" in refused.content.decode()
