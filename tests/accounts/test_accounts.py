"""Reader accounts: email login, mandatory verification, login by code (django-allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_reader_created_with_a_capitalised_email_logs_in_with_it_typed_in_any_case(client):
    user = User.objects.create_user(email="Reader@Example.org", password="pw-123456789")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    response = client.post("/accounts/login/", {"login": "READER@example.ORG", "password": "pw-123456789"})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/accounts/email/").status_code == 200  # a page only a logged-in reader sees


def test_sign_up_asks_for_an_email_and_no_username(client):
    response = client.get("/accounts/signup/")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="email"' in body
    assert 'name="username"' not in body


def test_sign_up_sends_a_verification_email_and_does_not_log_in(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
    )

    assert response.status_code == 302
    assert User.objects.filter(email="new@example.org").exists()
    assert not EmailAddress.objects.get(email="new@example.org").verified
    assert len(mail.outbox) == 1
    assert "new@example.org" in mail.outbox[0].to
    assert "_auth_user_id" not in client.session


def test_unverified_reader_cannot_log_in_with_password(client):
    user = UserFactory(email="unverified@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)

    client.post("/accounts/login/", {"login": user.email, "password": "correct horse battery staple"})

    assert "_auth_user_id" not in client.session


def test_verified_reader_logs_in_with_password(client):
    user = UserFactory(email="verified@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    client.post("/accounts/login/", {"login": user.email, "password": "correct horse battery staple"})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_reader_logs_in_with_a_code_sent_by_email(client):
    user = UserFactory(email="code@example.org")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)

    client.post("/accounts/login/code/", {"email": user.email})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE).group(1)
    client.post("/accounts/login/code/confirm/", {"code": code})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_demo_data_loads_twice_without_changes():
    call_command("load_demo_data")
    call_command("load_demo_data")

    staff = User.objects.get(email="staff@example.org")
    assert staff.is_staff
    assert User.objects.count() == 1
    assert EmailAddress.objects.filter(user=staff, verified=True).count() == 1
