"""Each change a reader makes, on localstripe: what Stripe holds, what the membership says, the history."""

from datetime import timedelta

import pytest
from dateutil.relativedelta import relativedelta
from django.core import mail

from membership import changes
from membership.lifecycle import Cause
from membership.models import Membership, MembershipEvent, SaveOffer
from membership.webhooks import subscription_changed
from payments import gateway
from tests.factories import UserFactory
from tests.payments.webhooks import make_event
from tests.portal.members import invoices_of, live_member, pending_invoice_items, stripe_subscription

pytestmark = [pytest.mark.django_db, pytest.mark.integration]
Kind = MembershipEvent.Kind
State = Membership.State
READER = Cause.reader()


def last_event(membership: Membership) -> MembershipEvent:
    return membership.events.order_by("-id").first()


def test_a_new_amount_moves_the_subscription_to_its_plan_with_nothing_charged_now(localstripe):
    membership = live_member(amount=1000)
    customer = membership.contributor.stripe_customer_id
    invoices_before = len(invoices_of(customer))

    mail.outbox.clear()

    changed = changes.membership_change_amount(membership=membership, amount_minor=2500, cause=READER)

    at_stripe = stripe_subscription(membership.stripe_subscription_id)
    assert at_stripe["items"]["data"][0]["plan"]["amount"] == 2500
    assert len(invoices_of(customer)) == invoices_before
    assert pending_invoice_items(customer) == []  # no proration credit waits for the next invoice
    assert (changed.amount_minor, changed.state) == (2500, State.ACTIVE)
    assert mail.outbox == []  # a change of amount is not a cancellation: no churn email


def test_a_new_amount_is_recorded_as_amount_changed_with_old_and_new(localstripe):
    reader = UserFactory()
    membership = live_member(amount=2500, user=reader)

    changes.membership_change_amount(membership=membership, amount_minor=800, cause=Cause.reader(reader.pk))

    event = last_event(membership)
    assert (event.kind, event.previous_monthly_amount_minor, event.monthly_amount_minor) == (
        Kind.AMOUNT_CHANGED,
        2500,
        800,
    )
    assert (event.cause, event.actor_id) == (MembershipEvent.Cause.READER, reader.pk)


def test_an_amount_below_the_minimum_is_refused_and_changes_nothing(localstripe):
    membership = live_member(amount=1000)

    with pytest.raises(changes.ChangeRefusedError) as refused:
        changes.membership_change_amount(membership=membership, amount_minor=1, cause=READER)

    assert refused.value.field == "amount"
    assert (
        stripe_subscription(membership.stripe_subscription_id)["items"]["data"][0]["plan"]["amount"] == 1000
    )


def test_monthly_to_annual_starts_the_new_cycle_on_the_renewal_date_with_nothing_charged(localstripe):
    membership = live_member(amount=1000)
    old_subscription = membership.stripe_subscription_id
    renews_at = membership.current_period_end
    customer = membership.contributor.stripe_customer_id
    invoices_before = len(invoices_of(customer))

    changed = changes.membership_change_frequency(
        membership=membership, interval="year", amount_minor=10000, cause=READER
    )

    new = stripe_subscription(changed.stripe_subscription_id)
    assert new["trial_end"] == int(renews_at.timestamp())
    assert new["items"]["data"][0]["plan"]["interval"] == "year"
    assert stripe_subscription(old_subscription)["status"] == "canceled"
    assert len(invoices_of(customer)) == invoices_before
    assert (changed.interval, changed.amount_minor, changed.state) == ("year", 10000, State.ACTIVE)
    assert changed.current_period_end == renews_at


def test_monthly_to_annual_is_one_interval_changed_event(localstripe):
    membership = live_member(amount=1000)

    changes.membership_change_frequency(
        membership=membership, interval="year", amount_minor=9000, cause=READER
    )

    kinds = list(membership.events.values_list("kind", flat=True))
    assert kinds.count(Kind.INTERVAL_CHANGED) == 1
    assert Kind.ENDED not in kinds
    event = last_event(membership)
    assert (event.previous_interval, event.interval, event.monthly_amount_minor) == ("month", "year", 750)


def test_the_replaced_subscriptions_deletion_webhook_leaves_the_membership_running(localstripe):
    membership = live_member(amount=1000)
    old_subscription = membership.stripe_subscription_id
    changes.membership_change_frequency(
        membership=membership, interval="year", amount_minor=9000, cause=READER
    )
    deleted = make_event("customer.subscription.deleted", stripe_subscription(old_subscription))

    with pytest.raises(Exception, match="no membership"):
        subscription_changed(gateway.parse_event(deleted))

    membership.refresh_from_db()
    assert membership.state == State.ACTIVE
    assert Kind.ENDED not in membership.events.values_list("kind", flat=True)
    assert Membership.objects.count() == 1


def test_a_pause_pushes_the_next_charge_out_and_records_paused(localstripe):
    membership = live_member(amount=1000)
    renews_at = membership.current_period_end

    paused = changes.membership_pause(membership=membership, months=2, cause=READER)

    until = renews_at + relativedelta(months=2)
    assert stripe_subscription(membership.stripe_subscription_id)["trial_end"] == int(until.timestamp())
    assert (paused.state, paused.paused_until, paused.current_period_end) == (State.PAUSED, until, until)
    assert last_event(membership).kind == Kind.PAUSED


def test_resuming_a_pause_brings_the_renewal_date_back(localstripe):
    membership = live_member(amount=1000)
    renews_at = membership.current_period_end
    changes.membership_pause(membership=membership, months=1, cause=READER)

    resumed = changes.membership_resume_pause(
        membership=membership, cause=Cause.staff(UserFactory(is_staff=True).pk)
    )

    assert stripe_subscription(membership.stripe_subscription_id)["trial_end"] == int(renews_at.timestamp())
    assert (resumed.state, resumed.paused_until, resumed.current_period_end) == (
        State.ACTIVE,
        None,
        renews_at,
    )
    assert last_event(membership).kind == Kind.RESUMED


def test_cancel_with_a_reason_is_canceling_at_period_end_and_keeps_the_reason(localstripe):
    membership = live_member(amount=1000)

    canceled = changes.membership_cancel(
        membership=membership, cause=READER, reason="other", reason_text="Moving abroad"
    )

    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is True
    assert canceled.state == State.CANCELING
    event = last_event(membership)
    assert (event.kind, event.reason, event.reason_text) == (Kind.CANCEL_REQUESTED, "other", "Moving abroad")


def test_resume_before_the_period_ends_withdraws_the_cancellation(localstripe):
    membership = live_member(amount=1000)
    changes.membership_cancel(membership=membership, cause=READER)

    kept = changes.membership_withdraw_cancel(membership=membership, cause=READER)

    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is False
    assert kept.state == State.ACTIVE
    assert last_event(membership).kind == Kind.CANCEL_WITHDRAWN


def test_canceling_a_paused_membership_ends_it_when_the_pause_ends(localstripe):
    membership = live_member(amount=1000)
    paused = changes.membership_pause(membership=membership, months=1, cause=READER)

    canceled = changes.membership_cancel(membership=membership, cause=READER, reason="too_expensive")

    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is True
    assert (canceled.state, canceled.current_period_end) == (State.PAUSED, paused.paused_until)
    assert last_event(membership).kind == Kind.CANCEL_REQUESTED


def test_a_canceled_pause_can_be_kept_and_stays_paused(localstripe):
    membership = live_member(amount=1000)
    changes.membership_pause(membership=membership, months=1, cause=READER)
    changes.membership_cancel(membership=membership, cause=READER)

    kept = changes.membership_withdraw_cancel(membership=membership, cause=READER)

    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is False
    assert (kept.state, kept.cancel_at_period_end) == (State.PAUSED, False)
    assert list(membership.events.values_list("kind", flat=True)) == [
        Kind.STARTED,
        Kind.PAUSED,
        Kind.CANCEL_REQUESTED,
        Kind.CANCEL_WITHDRAWN,
    ]


def test_an_active_membership_has_no_cancellation_to_withdraw(localstripe):
    membership = live_member(amount=1000)

    with pytest.raises(changes.ChangeRefusedError):
        changes.membership_withdraw_cancel(membership=membership, cause=READER)


def test_a_save_offer_taken_pauses_instead_of_cancelling_and_is_counted_as_saved(localstripe):
    membership = live_member(amount=1000)
    offer = changes.save_offer_present(
        membership=membership, reason="too_expensive", reason_text="", actor_id=None
    )

    changes.save_offer_take(offer=offer, code="pause_3", cause=READER)

    offer.refresh_from_db()
    assert offer.offers_shown == ["pause_1", "pause_2", "pause_3", "lower_amount", "switch_annual"]
    assert (offer.outcome, offer.offer_taken) == (SaveOffer.Outcome.SAVED, "pause_3")
    assert stripe_subscription(membership.stripe_subscription_id)["cancel_at_period_end"] is False
    assert Membership.objects.get(pk=membership.pk).state == State.PAUSED


def test_save_offers_declined_cancel_with_the_reason_given(localstripe):
    membership = live_member(amount=1000)
    offer = changes.save_offer_present(
        membership=membership, reason="coverage", reason_text="", actor_id=None
    )

    changes.save_offer_decline(offer=offer, cause=READER)

    offer.refresh_from_db()
    assert (offer.outcome, offer.offer_taken) == (SaveOffer.Outcome.CANCELED, "")
    assert last_event(membership).reason == "coverage"
    assert Membership.objects.get(pk=membership.pk).state == State.CANCELING


def test_a_save_offer_cannot_be_taken_twice(localstripe):
    membership = live_member(amount=1000)
    offer = changes.save_offer_present(membership=membership, reason="", reason_text="", actor_id=None)
    changes.save_offer_take(offer=offer, code="pause_1", cause=READER)
    offer.refresh_from_db()

    with pytest.raises(changes.ChangeRefusedError):
        changes.save_offer_decline(offer=offer, cause=READER)

    assert Membership.objects.get(pk=membership.pk).state == State.PAUSED


def test_a_pause_longer_than_three_months_is_refused(localstripe):
    membership = live_member(amount=1000)

    with pytest.raises(changes.ChangeRefusedError):
        changes.membership_pause(membership=membership, months=6, cause=READER)

    assert stripe_subscription(membership.stripe_subscription_id).get("trial_end") is None
    assert timedelta(0) < membership.current_period_end - membership.created_at
