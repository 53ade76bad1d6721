"""Erasing what a deleted reader wrote or left on their memberships, keeping the history's numbers.

Membership events are append-only, and stay so for everything revenue is computed from (kind, time,
amounts, cause); the one field a reader typed themselves, the free text of a cancellation reason, is
blanked by this function only, because the law requires it. The card on file goes too: the customer is
deleted at Stripe, so the card can never be charged again.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from membership.models import Membership, MembershipEvent, SaveOffer


def memberships_anonymise(*, contributor_ids: Iterable[int]) -> int:
    """Blank the reader's own words and card details on these contributors' memberships; returns how many."""
    memberships = Membership.objects.filter(contributor_id__in=list(contributor_ids))
    with transaction.atomic():
        MembershipEvent.objects.filter(membership__in=memberships).exclude(reason_text="").update(
            reason_text=""
        )
        SaveOffer.objects.filter(membership__in=memberships).exclude(reason_text="").update(reason_text="")
        return memberships.update(
            stripe_payment_method_id="",
            card_brand="",
            card_last4="",
            card_exp_month=None,
            card_exp_year=None,
        )
