"""What a signed-in reader may see: only their own memberships and contributions (anything else is a 404).

A row is the reader's when its contributor is linked to the reader's account, which happens only after
the reader verified that contributor's email (see `payments.claims`).
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from membership.models import Membership
from payments.models import Contribution


def reader_memberships(*, user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(contributor__user=user)
        .exclude(state=Membership.State.PENDING)
        .select_related("tier", "contributor")
        .order_by("-created_at")
    )


def reader_membership_or_404(*, user: User, membership_id: int) -> Membership:
    return get_object_or_404(reader_memberships(user=user), pk=membership_id)


def reader_contributions(*, user: User) -> QuerySet[Contribution]:
    return (
        Contribution.objects.filter(contributor__user=user)
        .select_related("contributor", "membership")
        .order_by("-created_at")
    )


def reader_contribution_or_404(*, user: User, public_id: str) -> Contribution:
    return get_object_or_404(reader_contributions(user=user), public_id=public_id)
