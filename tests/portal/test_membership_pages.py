"""The portal's membership pages over HTTP: only the reader's own, and each change reaching localstripe."""

import pytest
from django.urls import reverse

from membership.models import Membership, MembershipEvent, SaveOffer
from payments import gateway
from tests.factories import MembershipFactory, UserFactory
from tests.payments import stripe_flows as flows
from tests.portal.members import live_member, stripe_subscription

pytestmark = [pytest.mark.django_db]
Kind = MembershipEvent.Kind
State = Membership.State
PAGES = ["portal:change", "portal:card", "portal:cancel", "portal:resume"]


@pytest.mark.parametrize("name", PAGES)
def test_another_readers_membership_answers_404(client, name):
    someone_else = MembershipFactory(state=State.ACTIVE)
    client.force_login(UserFactory())

    response = client.post(reverse(name, args=[someone_else.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_membership_pages_ask_for_sign_in(client, name):
    membership = MembershipFactory(state=State.ACTIVE)

    response = client.get(reverse(name, args=[membership.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_overview_lists_only_the_readers_memberships(client):
    reader = UserFactory()
    mine = MembershipFactory(state=State.ACTIVE, contributor__user=reader, amount_minor=1234, currency="EUR")
    MembershipFactory(state=State.ACTIVE, amount_minor=9876, currency="EUR")
    client.force_login(reader)

    page = client.get(reverse("portal:overview")).content.decode()

    assert f'data-membership="{mine.pk}"' in page
    assert "€12.34" in page
    assert "€98.76" not in page


@pytest.mark.integration
def test_changing_the_amount_says_what_happens_before_it_is_confirmed(client, localstripe):
    reader = UserFactory()
    membership = live_member(amount=1000, user=reader)
    client.force_login(reader)

    review = client.post(
        reverse("portal:change", args=[membership.pk]), {"interval": "month", "custom": "25"}
    )

    assert "Nothing is charged today" in review.content.decode()
    assert (
        stripe_subscription(membership.stripe_subscription_id)["items"]["data"][0]["plan"]["amount"] == 1000
    )


@pytest.mark.integration
def test_a_confirmed_amount_change_reaches_stripe_and_history(client, localstripe):
    reader = UserFactory()
    membership = live_member(amount=1000, user=reader)
    client.force_login(reader)

    response = client.post(
        reverse("portal:change", args=[membership.pk]),
        {"interval": "month", "amount_minor": "2500", "confirm": "1"},
    )

    assert response.status_code == 302
    assert (
        stripe_subscription(membership.stripe_subscription_id)["items"]["data"][0]["plan"]["amount"] == 2500
    )
    event = membership.events.order_by("-id").first()
    assert (event.kind, event.actor_id) == (Kind.AMOUNT_CHANGED, reader.pk)


@pytest.mark.integration
def test_cancel_shows_offers_then_declining_them_cancels_with_the_reason(client, localstripe):
    reader = UserFactory()
    membership = live_member(amount=1000, user=reader)
    client.force_login(reader)

    offers = client.post(
        reverse("portal:cancel", args=[membership.pk]), {"reason": "not_reading"}, follow=True
    )
    offer = SaveOffer.objects.get(membership=membership)
    client.post(reverse("portal:cancel_offers", args=[membership.pk, offer.pk]), {"offer": "decline"})

    assert "Pause for 1 month" in offers.content.decode()
    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is True
    assert membership.events.order_by("-id").first().reason == "not_reading"


@pytest.mark.integration
def test_resume_keeps_a_canceling_membership(client, localstripe):
    reader = UserFactory()
    membership = live_member(amount=1000, user=reader)
    client.force_login(reader)
    offer = SaveOffer.objects.create(membership=membership, offers_shown=[])
    client.post(reverse("portal:cancel_offers", args=[membership.pk, offer.pk]), {"offer": "decline"})

    client.post(reverse("portal:resume", args=[membership.pk]))

    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is False
    assert Membership.objects.get(pk=membership.pk).state == State.ACTIVE


def confirmed_setup_intent(client, membership, number=flows.CARD["number"]) -> str:
    """What Stripe.js does in the page: the SetupIntent the card page made, confirmed with a card."""
    page = client.get(reverse("portal:card", args=[membership.pk]))
    secret = page.context["card_config"]["clientSecret"]
    setup_intent_id = secret.split("_secret_")[0]
    gateway.client().v1.setup_intents.confirm(
        setup_intent_id, {"payment_method": flows.card_payment_method(number)}
    )
    return setup_intent_id


@pytest.mark.integration
def test_a_new_card_becomes_the_default_for_every_membership_of_the_customer(client, localstripe):
    reader = UserFactory()
    membership = live_member(amount=1000, user=reader)
    second = MembershipFactory(state=State.ACTIVE, contributor=membership.contributor, currency="EUR")
    client.force_login(reader)
    setup_intent_id = confirmed_setup_intent(client, membership, number="5555555555554444")

    client.post(reverse("portal:card", args=[membership.pk]), {"setup_intent": setup_intent_id})

    customer = gateway.to_dict(
        gateway.client().v1.customers.retrieve(membership.contributor.stripe_customer_id)
    )
    default = customer["invoice_settings"]["default_payment_method"]
    assert gateway.retrieve_card(default).last4 == "4444"
    assert set(
        Membership.objects.filter(pk__in=[membership.pk, second.pk]).values_list("card_last4", flat=True)
    ) == {"4444"}


@pytest.mark.integration
def test_a_new_card_pays_the_open_invoice_of_a_past_due_membership(client, localstripe):
    reader = UserFactory()
    membership = live_member(amount=1000, user=reader)
    customer = membership.contributor.stripe_customer_id
    invoice_id = flows.failed_renewal_invoice(
        customer=customer, subscription_id=membership.stripe_subscription_id
    )
    Membership.objects.filter(pk=membership.pk).update(state=State.PAST_DUE, status="past_due")
    client.force_login(reader)
    setup_intent_id = confirmed_setup_intent(client, membership)

    response = client.post(
        reverse("portal:card", args=[membership.pk]), {"setup_intent": setup_intent_id}, follow=True
    )

    assert gateway.retrieve_invoice(invoice_id).status == "paid"
    assert "overdue payment went through" in response.content.decode()


@pytest.mark.integration
def test_another_customers_setup_intent_is_refused(client, localstripe):
    reader = UserFactory()
    membership = live_member(amount=1000, user=reader, email="reader@example.org")
    stranger = live_member(amount=1000, user=UserFactory(), email="stranger@example.org")
    method_before = membership.stripe_payment_method_id
    client.force_login(reader)
    stranger_intent = gateway.create_setup_intent(
        customer_id=stranger.contributor.stripe_customer_id, idempotency_key="stranger-setup"
    )[0]
    gateway.client().v1.setup_intents.confirm(
        stranger_intent, {"payment_method": flows.card_payment_method()}
    )

    response = client.post(
        reverse("portal:card", args=[membership.pk]), {"setup_intent": stranger_intent}, follow=True
    )

    assert "Your card was not confirmed" in response.content.decode()
    membership.refresh_from_db()
    assert membership.stripe_payment_method_id == method_before
