"""Account pages (django-allauth) look like the site, still work end to end, email in the newsroom's name."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEWSROOM = "The Riverside Record"

VISITOR_PAGES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/login/code/",
    "/accounts/password/reset/",
    "/accounts/password/reset/done/",
    "/accounts/password/reset/key/1-not-a-key/",
    "/accounts/confirm-email/",
    "/accounts/confirm-email/not-a-key/",
]
READER_PAGES = ["/accounts/email/", "/accounts/password/change/", "/accounts/logout/"]


@pytest.fixture
def newsroom(settings):
    settings.SITE_NAME = NEWSROOM
    return NEWSROOM


def verified_reader(email: str):
    user = UserFactory(email=email)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def reader(client):
    user = verified_reader("reader@example.org")
    client.force_login(user)
    return user


def assert_in_site_layout(response) -> str:
    """The site's header, stylesheet and footer around an account frame; allauth's bare menu gone; no inline
    script or style."""
    body = response.content.decode()
    assert response.status_code == 200
    assert '<header class="site-header">' in body
    assert re.search(r'<link rel="stylesheet" href="/static/css/site[.\w]*\.css">', body)
    assert '<footer class="site-footer">' in body
    assert '<div class="account account-' in body
    assert "Menu:" not in body
    for tag in re.findall(r"<script[^>]*>", body):  # files or JSON data only, as on every page of the site
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert "<style" not in body
    assert " style=" not in body
    return body


def without_links(body: str) -> str:
    return re.sub(r"https?://\S+", "", body)


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_account_page_a_visitor_reaches_has_the_site_layout(client, path):
    assert_in_site_layout(client.get(path))


@pytest.mark.parametrize("path", READER_PAGES)
def test_account_page_a_reader_reaches_has_the_site_layout(client, reader, path):
    assert_in_site_layout(client.get(path))


def test_account_page_title_names_the_page_and_the_newsroom(client, newsroom):
    body = client.get("/accounts/login/").content.decode()

    assert f"<title>Sign In · {newsroom}</title>" in body


def test_login_page_offers_a_sign_in_code_as_a_button(client):
    body = client.get("/accounts/login/").content.decode()

    assert re.search(r'<a class="button" href="/accounts/login/code/">\s*Send me a sign-in code\s*</a>', body)


def test_account_fields_have_visible_labels_without_a_colon(client):
    body = client.get("/accounts/login/").content.decode()

    assert '<label for="id_login">Email</label>' in body
    assert '<label for="id_password">Password</label>' in body


def test_wrong_password_is_reported_inside_the_form_in_the_site_style(client):
    verified_reader("reader@example.org")

    response = client.post("/accounts/login/", {"login": "reader@example.org", "password": "not it"})

    body = assert_in_site_layout(response)
    assert re.search(r'<div class="form-error" role="alert"><p>The email address and/or password', body)


def test_manage_pages_show_the_account_navigation_with_the_current_page_marked(client, reader):
    body = assert_in_site_layout(client.get("/accounts/password/change/"))

    assert '<nav class="account-nav" aria-label="Account">' in body
    assert '<a href="/accounts/email/">Email Addresses</a>' in body
    assert '<a href="/accounts/password/change/" aria-current="page">Change Password</a>' in body


def test_reader_signs_up_confirms_the_email_and_logs_in_through_site_styled_pages(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
        follow=True,
    )
    assert "Verify Your Email Address" in assert_in_site_layout(response)
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/confirm-email/\S+/)", mail.outbox[0].body).group(1)

    confirm_page = assert_in_site_layout(client.get(link))
    assert '<button class="button button-primary" type="submit">' in confirm_page
    client.post(link)
    client.post("/accounts/login/", {"login": "new@example.org", "password": "a-long-passphrase-42"})

    assert EmailAddress.objects.get(email="new@example.org").verified
    assert client.session["_auth_user_id"] == str(EmailAddress.objects.get(email="new@example.org").user_id)


def test_reader_logs_in_with_a_code_through_site_styled_pages(client):
    user = verified_reader("code@example.org")

    response = client.post("/accounts/login/code/", {"email": user.email}, follow=True)
    body = assert_in_site_layout(response)
    assert "Enter Sign-In Code" in body
    assert len(mail.outbox) == 1
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[0].body, re.MULTILINE).group(1)
    client.post("/accounts/login/code/confirm/", {"code": code})

    assert client.session["_auth_user_id"] == str(user.pk)


def test_verification_email_greets_and_signs_off_in_the_newsrooms_name_not_the_host(client, newsroom):
    client.post(
        "/accounts/signup/",
        {
            "email": "new@example.org",
            "password1": "a-long-passphrase-42",
            "password2": "a-long-passphrase-42",
        },
        HTTP_HOST="127.0.0.1:8100",
    )

    body = mail.outbox[0].body
    lines = body.strip().splitlines()
    assert lines[0] == f"Hello from {newsroom}!"
    assert lines[-1] == f"Thank you for reading {newsroom}."
    assert f"register an account on {newsroom}." in body
    assert "127.0.0.1" not in without_links(body)


def test_sign_in_code_email_greets_and_signs_off_in_the_newsrooms_name_not_the_host(client, newsroom):
    user = verified_reader("code@example.org")

    client.post("/accounts/login/code/", {"email": user.email}, HTTP_HOST="127.0.0.1:8100")

    body = mail.outbox[0].body
    assert body.startswith(f"Hello from {newsroom}!")
    assert body.strip().endswith(f"Thank you for reading {newsroom}.")
    assert "127.0.0.1" not in body
