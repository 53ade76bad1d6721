"""A guest's giving joins a reader's account only once the reader verifies its email (through allauth)."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse

from payments.claims import history_claim
from payments.models import Contribution, Contributor
from payments.services import contributor_find_or_create
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.django_db]

PASSWORD = "a long and unusual passphrase 42"


def confirmation_link(body: str) -> str:
    found = re.search(r"https?://[^/\s]+(/accounts/confirm-email/[^/\s]+/)", body)
    assert found, body
    return found.group(1)


def sign_up(client, email: str) -> None:
    client.post(reverse("account_signup"), {"email": email, "password1": PASSWORD, "password2": PASSWORD})


@pytest.fixture
def guest_history():
    """What olena@example.org gave as a guest: a gift and a membership."""
    contributor = ContributorFactory(email="olena@example.org")
    ContributionFactory(contributor=contributor, status=Contribution.Status.SUCCEEDED)
    MembershipFactory(contributor=contributor)
    return contributor


def test_signing_up_attaches_nothing_before_the_email_is_verified(client, guest_history):
    sign_up(client, "olena@example.org")

    guest_history.refresh_from_db()
    assert guest_history.user is None


def test_verifying_the_email_attaches_the_guests_contributions_and_membership(client, guest_history):
    sign_up(client, "olena@example.org")

    client.post(confirmation_link(mail.outbox[-1].body))

    guest_history.refresh_from_db()
    assert guest_history.user is not None
    assert guest_history.user.email == "olena@example.org"
    assert set(Contribution.objects.filter(contributor=guest_history).values_list("user", flat=True)) == {
        guest_history.user.pk
    }
    assert guest_history.memberships.filter(contributor__user=guest_history.user).count() == 1


def test_a_sign_in_code_verifies_the_email_and_attaches_the_history(client, guest_history):
    reader = UserFactory(email="olena@example.org")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=False, primary=True)

    client.post(reverse("account_request_login_code"), {"email": reader.email})
    code = re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", mail.outbox[-1].body, re.MULTILINE)
    assert code, mail.outbox[-1].body
    client.post(reverse("account_confirm_login_code"), {"code": code.group(1)})

    guest_history.refresh_from_db()
    assert guest_history.user == reader


def test_an_added_address_attaches_its_history_only_once_confirmed(client, guest_history):
    reader = UserFactory(email="reader@example.org")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)
    client.force_login(reader)

    client.post(reverse("account_email"), {"action_add": "", "email": "olena@example.org"})
    guest_history.refresh_from_db()
    assert guest_history.user is None
    assert EmailAddress.objects.get(email="olena@example.org").verified is False

    client.post(confirmation_link(mail.outbox[-1].body))

    guest_history.refresh_from_db()
    assert guest_history.user == reader


def test_claiming_twice_attaches_once(guest_history):
    reader = UserFactory(email="olena@example.org")

    assert history_claim(user_id=reader.pk, email="Olena@Example.org") == 1
    assert history_claim(user_id=reader.pk, email="olena@example.org") == 0

    guest_history.refresh_from_db()
    assert guest_history.user == reader


def test_a_contributor_another_account_holds_is_never_moved():
    owner = UserFactory(email="owner@example.org")
    held = ContributorFactory(email="shared@example.org", user=owner)

    history_claim(user_id=UserFactory(email="claimant@example.org").pk, email="shared@example.org")

    held.refresh_from_db()
    assert held.user == owner


def test_a_later_guest_gift_joins_the_account_that_verified_its_email():
    reader = UserFactory(email="olena@example.org")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=True, primary=True)

    contributor = contributor_find_or_create(email="OLENA@example.org")

    assert contributor.user == reader


def test_a_guest_gift_to_an_unverified_address_joins_no_account():
    reader = UserFactory(email="olena@example.org")
    EmailAddress.objects.create(user=reader, email=reader.email, verified=False, primary=True)

    contributor = contributor_find_or_create(email="olena@example.org")

    assert contributor.user is None
    assert Contributor.objects.get(pk=contributor.pk).user is None
