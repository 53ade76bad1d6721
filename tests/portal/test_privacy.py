"""Email preferences, "download my data" and "delete my account"."""

import json
from datetime import UTC, datetime

import pytest
from allauth.account.models import EmailAddress
from django.db.models import Sum
from django.urls import reverse

from accounts.models import User
from membership import dunning
from membership.models import Membership, MembershipEvent
from payments import gateway
from payments.models import Contribution, Contributor, LedgerEntry, WebhookEvent
from tests.factories import ContributionFactory, ContributorFactory, MembershipFactory, UserFactory
from tests.portal.members import live_member, stripe_subscription

pytestmark = [pytest.mark.django_db]


def ledger_sums() -> dict[str, int]:
    rows = LedgerEntry.objects.values("currency").annotate(total=Sum("amount_minor"))
    return {row["currency"]: row["total"] for row in rows}


@pytest.fixture
def reader(client):
    user = UserFactory(email="olena@example.org", name="Olena Petrenko")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return user


def test_preferences_turn_reminders_and_appeals_off(client, reader):
    response = client.post(reverse("portal:preferences"), {"email_appeals": "", "email_reminders": ""})

    reader.refresh_from_db()
    assert response.status_code == 302
    assert reader.email_reminders is False
    assert reader.email_appeals is False


def test_no_card_expiring_reminder_for_a_reader_who_turned_reminders_off(reader):
    now = datetime(2026, 12, 10, tzinfo=UTC)
    membership = MembershipFactory(
        contributor=ContributorFactory(user=reader), card_last4="4242", card_exp_month=12, card_exp_year=2026
    )
    assert [m.pk for m, _o in dunning.card_expiring_due(now=now)] == [membership.pk]

    User.objects.filter(pk=reader.pk).update(email_reminders=False)

    assert dunning.card_expiring_due(now=now) == []


def test_a_failed_payment_is_told_even_with_reminders_off(reader):
    User.objects.filter(pk=reader.pk).update(email_reminders=False)
    membership = MembershipFactory(
        contributor=ContributorFactory(user=reader),
        state=Membership.State.PAST_DUE,
        past_due_since=datetime(2026, 12, 1, tzinfo=UTC),
    )

    due = dunning.payment_failed_due(now=datetime(2026, 12, 2, tzinfo=UTC))

    assert [m.pk for m, _o in due] == [membership.pk]


@pytest.mark.integration
def test_export_holds_the_readers_contributions_and_membership_events(client, reader, localstripe):
    membership = live_member(user=reader, email=reader.email)
    contribution = Contribution.objects.get(membership=membership)

    response = client.get(reverse("portal:export"))

    document = json.loads(response.content)
    assert response["Content-Disposition"].startswith("attachment;")
    assert document["account"]["email"] == "olena@example.org"
    assert [c["reference"] for c in document["contributions"]] == [str(contribution.public_id)]
    assert document["contributions"][0]["amount_minor"] == 1000
    assert document["contributions"][0]["currency"] == "USD"
    assert [e["kind"] for e in document["membership_events"]] == ["started"]
    assert document["memberships"][0]["id"] == membership.pk


def test_export_holds_nothing_of_another_reader(client, reader):
    ContributionFactory(contributor=ContributorFactory(user=reader), dedication="for my mother")
    ContributionFactory(contributor=ContributorFactory(user=UserFactory()), dedication="for my neighbour")

    document = json.loads(client.get(reverse("portal:export")).content)

    assert [c["dedication"] for c in document["contributions"]] == ["for my mother"]


def test_export_needs_a_signed_in_reader(client):
    assert client.get(reverse("portal:export")).status_code == 302


@pytest.mark.integration
def test_deleting_cancels_the_membership_in_stripe_first(client, reader, localstripe):
    membership = live_member(user=reader, email=reader.email)

    client.post(reverse("portal:delete"), {"email": reader.email})

    assert stripe_subscription(membership.stripe_subscription_id or "")["status"] == "canceled"
    membership.refresh_from_db()
    assert membership.state == Membership.State.ENDED
    assert MembershipEvent.objects.filter(membership=membership, kind="ended").count() == 1


@pytest.mark.integration
def test_deleting_erases_personal_data_and_keeps_ledger_sums(client, reader, localstripe):
    membership = live_member(user=reader, email=reader.email)
    Contribution.objects.filter(membership=membership).update(dedication="for Mykola")
    contributor_id = membership.contributor_id
    customer_id = membership.contributor.stripe_customer_id
    sums_before = ledger_sums()
    assert sums_before  # the paid first period is in the ledger

    response = client.post(reverse("portal:delete"), {"email": reader.email})

    assert response.status_code == 302
    contributor = Contributor.objects.get(pk=contributor_id)
    assert contributor.email == f"erased-{contributor_id}@erased.invalid"
    assert contributor.name == ""
    assert contributor.user is None
    assert list(
        Contribution.objects.filter(contributor=contributor).values_list("dedication", flat=True)
    ) == [""]
    assert not User.objects.filter(pk=reader.pk).exists()
    assert not EmailAddress.objects.filter(email="olena@example.org").exists()
    assert ledger_sums() == sums_before
    with pytest.raises(gateway.GatewayError):
        gateway.retrieve_customer(customer_id or "")


@pytest.mark.integration
def test_deleting_signs_the_reader_out(client, reader, localstripe):
    client.post(reverse("portal:delete"), {"email": reader.email})

    assert client.get(reverse("portal:overview")).status_code == 302


@pytest.mark.integration
def test_stored_stripe_events_lose_the_readers_email(client, reader, localstripe):
    membership = live_member(user=reader, email=reader.email)
    customer_id = membership.contributor.stripe_customer_id
    payload = {
        "id": "evt_1",
        "data": {
            "object": {
                "object": "customer",
                "id": customer_id,
                "email": reader.email,
                "name": "Olena Petrenko",
            }
        },
    }
    WebhookEvent.objects.create(stripe_event_id="evt_1", type="customer.updated", payload=json.dumps(payload))

    client.post(reverse("portal:delete"), {"email": reader.email})

    stored = WebhookEvent.objects.get(stripe_event_id="evt_1").payload
    assert reader.email not in stored
    assert "Olena" not in stored
    assert customer_id in stored  # the reference stays: reconciliation still finds the customer


def test_deleting_needs_the_accounts_email_typed(client, reader):
    response = client.post(reverse("portal:delete"), {"email": "someone@example.org"})

    assert response.status_code == 400
    assert "This is not the email address of your account" in response.content.decode()
    assert User.objects.filter(pk=reader.pk).exists()


def test_nothing_is_erased_when_stripe_cannot_be_reached(client, reader, settings):
    settings.STRIPE_API_BASE = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    contributor = ContributorFactory(user=reader, email=reader.email, stripe_customer_id="cus_unreachable")
    MembershipFactory(contributor=contributor, stripe_subscription_id="sub_unreachable")

    response = client.post(reverse("portal:delete"), {"email": reader.email}, follow=True)

    assert "nothing was deleted" in response.content.decode()
    contributor.refresh_from_db()
    assert contributor.email == reader.email
    assert User.objects.filter(pk=reader.pk).exists()
