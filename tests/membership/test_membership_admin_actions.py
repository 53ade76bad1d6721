"""Staff act for a reader from a membership's admin page: each change in localstripe, state, history."""

import socket

import pytest
from dateutil.relativedelta import relativedelta
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core import mail
from django.test import Client
from django.urls import reverse

from membership import changes
from membership.lifecycle import Cause
from membership.models import Membership, MembershipEvent
from tests.factories import UserFactory
from tests.portal.members import live_member, stripe_subscription

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
Kind = MembershipEvent.Kind
State = Membership.State
ACTIONS = ("cancel_now", "cancel", "pause", "resume", "resend_receipt")


def staff_with(*codenames: str):
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="membership", codename__in=codenames)
    )
    return user


@pytest.fixture
def manager(client):
    """A staff user who may act on memberships (not a superuser), signed in on `client`."""
    user = staff_with("view_membership", "view_membershipevent", "manage_membership")
    client.force_login(user)
    return user


@pytest.fixture
def viewer(client):
    """A staff user who may only look at memberships, signed in on `client`."""
    user = staff_with("view_membership", "view_membershipevent")
    client.force_login(user)
    return user


def act(client, membership: Membership, action: str, **data):
    url = reverse("admin:membership_membership_act", args=[membership.pk, action])
    return client.post(url, data, follow=True)


def change_page(client, membership: Membership):
    return client.get(reverse("admin:membership_membership_change", args=[membership.pk]))


def last_event(membership: Membership) -> MembershipEvent:
    return membership.events.order_by("-id").first()


def shown_messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def plan_amount(membership: Membership) -> int:
    return stripe_subscription(membership.stripe_subscription_id)["items"]["data"][0]["plan"]["amount"]


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def test_cancel_now_cancels_the_subscription_and_ends_the_membership_by_the_staff_user(
    localstripe, client, manager
):
    membership = live_member()

    act(client, membership, "cancel_now", confirm="yes")

    assert stripe_subscription(membership.stripe_subscription_id)["status"] == "canceled"
    membership.refresh_from_db()
    assert membership.state == State.ENDED
    event = last_event(membership)
    assert (event.kind, event.cause, event.actor_id) == (Kind.ENDED, MembershipEvent.Cause.STAFF, manager.pk)


def test_cancel_now_without_the_confirmation_box_changes_nothing(localstripe, client, manager):
    membership = live_member()

    response = act(client, membership, "cancel_now")

    assert stripe_subscription(membership.stripe_subscription_id)["status"] == "active"
    assert Membership.objects.get(pk=membership.pk).state == State.ACTIVE
    assert "Tick the box to confirm ending this membership today." in shown_messages(response)


def test_cancel_at_period_end_keeps_the_reason_and_names_the_staff_user(localstripe, client, manager):
    membership = live_member()

    act(client, membership, "cancel", reason="too_expensive")

    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is True
    assert Membership.objects.get(pk=membership.pk).state == State.CANCELING
    event = last_event(membership)
    assert (event.kind, event.reason, event.actor_id) == (Kind.CANCEL_REQUESTED, "too_expensive", manager.pk)


def test_the_amount_page_shows_the_present_amount_in_major_units_and_changes_nothing(
    localstripe, client, manager
):
    membership = live_member(amount=1250)

    response = client.get(reverse("admin:membership_membership_amount", args=[membership.pk]))

    assert response.status_code == 200
    assert 'value="12.50"' in response.content.decode()
    assert plan_amount(membership) == 1250


def test_a_new_amount_typed_in_major_units_moves_the_subscription_to_its_plan(localstripe, client, manager):
    membership = live_member(amount=1000)

    response = client.post(
        reverse("admin:membership_membership_amount", args=[membership.pk]), {"amount": "25.00"}
    )

    assert response.status_code == 302
    assert plan_amount(membership) == 2500
    assert Membership.objects.get(pk=membership.pk).amount_minor == 2500
    event = last_event(membership)
    assert (event.kind, event.monthly_amount_minor, event.actor_id) == (Kind.AMOUNT_CHANGED, 2500, manager.pk)


def test_an_amount_the_service_refuses_is_shown_on_the_form_and_changes_nothing(localstripe, client, manager):
    membership = live_member(amount=1000)

    response = client.post(
        reverse("admin:membership_membership_amount", args=[membership.pk]), {"amount": "0.01"}
    )

    assert response.status_code == 200
    assert "Choose an amount between the minimum and the maximum shown." in response.content.decode()
    assert plan_amount(membership) == 1000


def test_an_amount_with_more_decimals_than_the_currency_has_is_refused(localstripe, client, manager):
    membership = live_member(amount=1000)

    response = client.post(
        reverse("admin:membership_membership_amount", args=[membership.pk]), {"amount": "12.345"}
    )

    assert "USD has 2 decimal places: 12.345 has more." in response.content.decode()
    assert plan_amount(membership) == 1000


def test_a_pause_pushes_the_next_charge_out_by_the_months_chosen(localstripe, client, manager):
    membership = live_member()
    until = membership.current_period_end + relativedelta(months=3)

    act(client, membership, "pause", months="3")

    assert stripe_subscription(membership.stripe_subscription_id)["trial_end"] == int(until.timestamp())
    membership.refresh_from_db()
    assert (membership.state, membership.paused_until) == (State.PAUSED, until)
    assert (last_event(membership).kind, last_event(membership).actor_id) == (Kind.PAUSED, manager.pk)


def test_resume_ends_a_pause_and_brings_the_renewal_date_back(localstripe, client, manager):
    membership = live_member()
    renews_at = membership.current_period_end
    changes.membership_pause(membership=membership, months=1, cause=Cause.reader())

    act(client, membership, "resume")

    assert stripe_subscription(membership.stripe_subscription_id)["trial_end"] == int(renews_at.timestamp())
    assert Membership.objects.get(pk=membership.pk).state == State.ACTIVE
    assert (last_event(membership).kind, last_event(membership).actor_id) == (Kind.RESUMED, manager.pk)


def test_resume_withdraws_a_pending_cancellation(localstripe, client, manager):
    membership = live_member()
    changes.membership_cancel(membership=membership, cause=Cause.reader())

    act(client, membership, "resume")

    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is False
    assert Membership.objects.get(pk=membership.pk).state == State.ACTIVE
    event = last_event(membership)
    assert (event.kind, event.actor_id) == (Kind.CANCEL_WITHDRAWN, manager.pk)


def test_resending_the_receipt_sends_one_more_email_each_time(localstripe, client, manager):
    membership = live_member(email="member@example.org")
    mail.outbox.clear()

    act(client, membership, "resend_receipt")
    act(client, membership, "resend_receipt")

    assert [message.to for message in mail.outbox] == [["member@example.org"], ["member@example.org"]]
    assert all("receipt" in message.subject.lower() for message in mail.outbox)


def test_each_action_is_logged_for_the_staff_user_who_did_it(localstripe, client, manager):
    membership = live_member()

    act(client, membership, "resend_receipt")
    act(client, membership, "pause", months="1")

    logged = LogEntry.objects.filter(object_id=str(membership.pk)).order_by("id")
    assert [(entry.user_id, entry.is_change()) for entry in logged] == [
        (manager.pk, True),
        (manager.pk, True),
    ]
    assert "Paused for 1 month" in logged.last().get_change_message()


def test_a_change_not_allowed_now_is_an_error_message_not_a_500(localstripe, client, manager):
    membership = live_member()
    changes.membership_cancel(membership=membership, cause=Cause.reader())

    response = act(client, membership, "pause", months="1")

    assert response.status_code == 200
    assert "This membership cannot be changed in its present state." in shown_messages(response)
    assert stripe_subscription(membership.stripe_subscription_id).get("trial_end") is None


def test_stripe_failing_shows_an_error_message_and_changes_nothing(localstripe, client, manager, settings):
    membership = live_member()
    events_before = membership.events.count()
    settings.STRIPE_API_BASE = closed_port_url()

    response = act(client, membership, "pause", months="2")

    assert response.status_code == 200
    assert any("Stripe could not make the change" in message for message in shown_messages(response))
    settings.STRIPE_API_BASE = localstripe.url
    assert stripe_subscription(membership.stripe_subscription_id).get("trial_end") is None
    membership.refresh_from_db()
    assert (membership.state, membership.paused_until) == (State.ACTIVE, None)
    assert membership.events.count() == events_before
    assert not LogEntry.objects.filter(object_id=str(membership.pk)).exists()


def test_a_manager_sees_the_action_buttons_and_the_history(localstripe, client, manager):
    membership = live_member()

    page = change_page(client, membership).content.decode()

    assert 'id="membership-actions"' in page
    assert reverse("admin:membership_membership_act", args=[membership.pk, "pause"]) in page
    assert "Started" in page  # the history inline: the membership's first event


def test_a_superuser_may_act_without_being_given_the_permission(localstripe, admin_client):
    membership = live_member()

    page = change_page(admin_client, membership).content.decode()

    assert 'id="membership-actions"' in page


def test_staff_without_the_permission_see_the_page_read_only_with_no_buttons(localstripe, client, viewer):
    membership = live_member()

    response = change_page(client, membership)

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="membership-actions"' not in page
    assert reverse("admin:membership_membership_act", args=[membership.pk, "pause"]) not in page
    assert 'name="_save"' not in page


@pytest.mark.parametrize("action", ACTIONS)
def test_a_forged_post_from_staff_without_the_permission_is_refused_and_changes_nothing(
    localstripe, client, viewer, action
):
    membership = live_member()
    mail.outbox.clear()

    response = client.post(
        reverse("admin:membership_membership_act", args=[membership.pk, action]),
        {"confirm": "yes", "months": "1", "reason": "other"},
    )

    assert response.status_code == 403
    at_stripe = stripe_subscription(membership.stripe_subscription_id)
    assert (at_stripe["status"], at_stripe["cancel_at_period_end"], at_stripe.get("trial_end")) == (
        "active",
        False,
        None,
    )
    assert Membership.objects.get(pk=membership.pk).state == State.ACTIVE
    assert mail.outbox == []


def test_a_forged_new_amount_from_staff_without_the_permission_is_refused(localstripe, client, viewer):
    membership = live_member(amount=1000)

    response = client.post(
        reverse("admin:membership_membership_amount", args=[membership.pk]), {"amount": "25.00"}
    )

    assert response.status_code == 403
    assert plan_amount(membership) == 1000


def test_an_action_asked_for_by_get_changes_nothing(localstripe, client, manager):
    membership = live_member()

    response = client.get(reverse("admin:membership_membership_act", args=[membership.pk, "cancel_now"]))

    assert response.status_code == 405
    assert stripe_subscription(membership.stripe_subscription_id)["status"] == "active"


def test_an_action_posted_without_the_csrf_token_is_refused(localstripe, manager):
    membership = live_member()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(manager)

    response = browser.post(reverse("admin:membership_membership_act", args=[membership.pk, "cancel_now"]))

    assert response.status_code == 403
    assert stripe_subscription(membership.stripe_subscription_id)["status"] == "active"
