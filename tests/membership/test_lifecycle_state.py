"""Our lifecycle state for every status Stripe gives a subscription (one mapping, membership/lifecycle.py)."""

import pytest

from membership.lifecycle import lifecycle_state
from membership.models import Membership

State = Membership.State


@pytest.mark.parametrize(
    ("stripe_status", "cancel_at_period_end", "pause_requested", "state"),
    [
        ("incomplete", False, False, State.PENDING),
        ("incomplete_expired", False, False, State.ENDED),
        ("trialing", False, False, State.ACTIVE),
        ("trialing", False, True, State.PAUSED),  # a pause is a trial pushed out in Stripe
        ("trialing", True, False, State.CANCELING),
        ("active", False, False, State.ACTIVE),
        ("active", True, False, State.CANCELING),
        ("past_due", False, False, State.PAST_DUE),
        ("past_due", True, False, State.PAST_DUE),  # what to do first: pay, whatever comes after
        ("unpaid", False, False, State.PAST_DUE),  # our grace job ends it, not Stripe's retry settings
        ("canceled", False, False, State.ENDED),
        ("canceled", True, False, State.ENDED),
        ("paused", False, False, State.PAUSED),
    ],
)
def test_every_stripe_status_maps_to_one_state(stripe_status, cancel_at_period_end, pause_requested, state):
    assert (
        lifecycle_state(
            stripe_status=stripe_status,
            cancel_at_period_end=cancel_at_period_end,
            pause_requested=pause_requested,
        )
        == state
    )


def test_every_status_stripe_documents_is_mapped():
    stripe_statuses = {value for value, _label in Membership.Status.choices}

    for status in stripe_statuses:
        assert lifecycle_state(stripe_status=status, cancel_at_period_end=False, pause_requested=False)


def test_a_status_stripe_never_documented_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="brand_new_status"):
        lifecycle_state(stripe_status="brand_new_status", cancel_at_period_end=False, pause_requested=False)
