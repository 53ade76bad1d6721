"""Staff see memberships in the admin, read-only: Stripe's subscription is the truth."""

import pytest
from django.urls import reverse

from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_staff_see_each_membership_with_its_amount_in_its_currency(admin_client):
    MembershipFactory(amount_minor=1500, currency="EUR", contributor__email="member@example.org")

    response = admin_client.get(reverse("admin:membership_membership_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "member@example.org" in page
    assert "€15.00" in page


def test_staff_cannot_add_or_edit_a_membership_by_hand(admin_client):
    membership = MembershipFactory()

    add = admin_client.get(reverse("admin:membership_membership_add"))
    admin_client.post(
        reverse("admin:membership_membership_change", args=[membership.pk]), {"amount_minor": 1}
    )

    assert add.status_code == 403
    membership.refresh_from_db()
    assert membership.amount_minor == 1000
