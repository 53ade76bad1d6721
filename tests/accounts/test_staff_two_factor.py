"""Staff two-factor authentication (allauth.mfa: an app and recovery codes), required by a setting."""

import re
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
)

from tests.accounts.test_account_pages import assert_in_site_layout
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery staple"


@pytest.fixture
def mfa_required(settings):
    settings.STAFF_MFA_REQUIRED = True


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def staff():
    return verified(UserFactory(email="editor@example.org", is_staff=True, is_superuser=True))


def sign_in(client, user) -> None:
    """Through the sign-in form, then the password once more: allauth asks for it before an app is set up."""
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302, response.content
    response = client.post("/accounts/reauthenticate/", {"password": PASSWORD})
    assert response.status_code == 302, response.content


def current_code(secret: str) -> str:
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))


def with_authenticator_app(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    RecoveryCodes.activate(user)
    return secret


def first_recovery_code(user) -> str:
    codes = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    return RecoveryCodes(codes).get_unused_codes()[0]


def test_staff_without_an_authenticator_are_sent_to_set_one_up(client, staff, mfa_required):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/2fa/totp/activate/?next=%2Fadmin%2F")


def test_staff_reports_are_out_of_reach_until_two_factor_is_set_up(client, staff, mfa_required):
    client.force_login(staff)
    assert client.get("/staff/").status_code == 302
    assert client.get("/staff/payments/events/").status_code == 302


def test_readers_are_never_asked_for_two_factor(client, mfa_required):
    reader = verified(UserFactory(email="reader@example.org"))
    client.force_login(reader)
    assert client.get("/account/").status_code == 200


def test_staff_are_not_asked_when_the_setting_is_off(client, staff, settings):
    settings.STAFF_MFA_REQUIRED = False
    client.force_login(staff)
    assert client.get("/admin/").status_code == 200


def test_the_setup_page_shows_a_qr_code_in_the_site_layout(client, staff, mfa_required):
    sign_in(client, staff)
    response = client.get("/accounts/2fa/totp/activate/")
    body = assert_in_site_layout(response)
    assert 'src="data:image/svg+xml;base64,' in body


def test_setting_up_the_authenticator_app_opens_the_staff_pages(client, staff, mfa_required):
    sign_in(client, staff)
    page = client.get("/accounts/2fa/totp/activate/").content.decode()
    secret = re.search(r'value="([A-Z2-7]{32})"', page) or re.search(r"\b([A-Z2-7]{32})\b", page)
    assert secret, "the page shows the secret for typing in"
    response = client.post("/accounts/2fa/totp/activate/", {"code": current_code(secret.group(1))})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert client.get("/admin/").status_code == 200


def test_setting_up_the_app_asks_for_the_password_again(client, staff, mfa_required):
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_a_wrong_code_does_not_set_up_the_app(client, staff, mfa_required):
    sign_in(client, staff)
    client.get("/accounts/2fa/totp/activate/")
    response = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert response.status_code == 200
    assert not Authenticator.objects.filter(user=staff).exists()


def test_signing_in_with_a_password_then_asks_for_the_code(client, staff, mfa_required):
    secret = with_authenticator_app(staff)
    response = client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/admin/").status_code == 302, "not signed in before the code"
    response = client.post("/accounts/2fa/authenticate/", {"code": current_code(secret)})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def sign_in_with_code(client, user, code: str):
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    return client.post("/accounts/2fa/authenticate/", {"code": code})


def test_a_recovery_code_signs_in_instead_of_the_app(client, staff, mfa_required):
    with_authenticator_app(staff)
    sign_in_with_code(client, staff, first_recovery_code(staff))
    assert client.get("/admin/").status_code == 200


def test_a_used_recovery_code_does_not_work_twice(client, staff, mfa_required):
    with_authenticator_app(staff)
    recovery_code = first_recovery_code(staff)
    sign_in_with_code(client, staff, recovery_code)
    client.logout()
    response = sign_in_with_code(client, staff, recovery_code)
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_the_admin_sign_in_goes_through_the_two_factor_step(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
