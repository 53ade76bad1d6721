"""One-click links in emails: a confirmation page per action, nothing changed on GET, one membership only."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from membership import links
from membership.models import Membership, MembershipEvent
from payments import gateway
from payments.emails import contribution_receipt_send
from payments.models import Contribution
from tests.factories import MembershipFactory
from tests.payments import stripe_flows as flows
from tests.portal.members import live_member, stripe_subscription

pytestmark = [pytest.mark.django_db]
State = Membership.State


def path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def link(membership: Membership, action: str) -> str:
    return path_of(links.link_url(membership_id=membership.pk, action=action))


@pytest.mark.integration
def test_opening_a_cancel_link_changes_nothing(client, localstripe):
    membership = live_member()

    page = client.get(link(membership, links.CANCEL))

    assert page.status_code == 200
    assert "Cancel my membership" in page.content.decode()
    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is False
    assert Membership.objects.get(pk=membership.pk).state == State.ACTIVE


@pytest.mark.integration
def test_confirming_a_cancel_link_cancels_at_period_end_with_the_reason(client, localstripe):
    membership = live_member()

    done = client.post(link(membership, links.CANCEL), {"reason": "giving_elsewhere"})

    assert done.status_code == 200
    assert "Your membership is cancelled" in done.content.decode()
    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is True
    event = membership.events.order_by("-id").first()
    assert (event.kind, event.reason) == (MembershipEvent.Kind.CANCEL_REQUESTED, "giving_elsewhere")


@pytest.mark.integration
def test_a_used_link_says_so_and_offers_a_sign_in_code(client, localstripe):
    membership = live_member()
    url = link(membership, links.CANCEL)
    client.post(url)

    again = client.get(url)

    assert again.status_code == 410
    assert "already used" in again.content.decode()
    assert "/accounts/login/code/" in again.content.decode()


def test_a_link_for_another_membership_answers_404(client):
    mine, theirs = MembershipFactory(state=State.ACTIVE), MembershipFactory(state=State.ACTIVE)
    token = links.link_token(membership_id=mine.pk, action=links.CANCEL)

    response = client.get(f"/membership/{theirs.pk}/link/{token}/")

    assert response.status_code == 404
    assert response.context["kind"] == "invalid"


def test_an_expired_link_says_so_and_offers_a_sign_in_code(client):
    membership = MembershipFactory(state=State.ACTIVE)
    with time_machine.travel(timezone.now() - links.MAX_AGE - timedelta(minutes=1)):
        url = link(membership, links.MANAGE)

    response = client.get(url)

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert "/accounts/login/code/" in response.content.decode()


def test_the_manage_page_offers_this_memberships_card_and_cancel_links(client):
    membership = MembershipFactory(state=State.ACTIVE)

    page = client.get(link(membership, links.MANAGE)).content.decode()

    tokens = re.findall(rf"href=\"[^\"]*/membership/{membership.pk}/link/([^/\"]+)/", page)
    assert {links.link_open(token, membership_id=membership.pk)[1] for token in tokens} == {
        links.CARD,
        links.CANCEL,
    }


@pytest.mark.integration
def test_a_membership_receipt_carries_the_three_links(localstripe):
    membership = live_member()
    payment = Contribution.objects.get(membership=membership, status=Contribution.Status.SUCCEEDED)
    Contribution.objects.filter(pk=payment.pk).update(receipt_sent_at=None, receipt_claimed_at=None)
    mail.outbox.clear()

    contribution_receipt_send(contribution_id=payment.pk)

    found = re.findall(rf"/membership/{membership.pk}/link/([^/\s]+)/", mail.outbox[0].body)
    actions = {links.link_open(token, membership_id=membership.pk)[1] for token in found}
    assert actions == {links.MANAGE, links.CARD, links.CANCEL}


@pytest.mark.integration
def test_a_card_link_saves_the_confirmed_card_and_is_then_used(client, localstripe):
    membership = live_member()
    url = link(membership, links.CARD)
    form = client.post(url)
    setup_intent_id = form.context["card_config"]["clientSecret"].split("_secret_")[0]
    gateway.client().v1.setup_intents.confirm(
        setup_intent_id, {"payment_method": flows.card_payment_method("5555555555554444")}
    )

    done = client.post(url, {"setup_intent": setup_intent_id})

    assert "Your card is updated" in done.content.decode()
    assert Membership.objects.get(pk=membership.pk).card_last4 == "4444"
    assert client.get(url).status_code == 410
