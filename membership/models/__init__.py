"""Membership's models: memberships, tiers and benefits, history and the emails sent about it."""

from membership.models.changes import CancelReason, ReplacedSubscription, SaveOffer, UsedLink
from membership.models.history import AppendOnlyError, MembershipEvent, MembershipNotice
from membership.models.memberships import Membership, monthly_equivalent
from membership.models.tiers import Benefit, Tier, TierMinimum

__all__ = [
    "AppendOnlyError",
    "Benefit",
    "CancelReason",
    "Membership",
    "MembershipEvent",
    "MembershipNotice",
    "ReplacedSubscription",
    "SaveOffer",
    "Tier",
    "TierMinimum",
    "UsedLink",
    "monthly_equivalent",
]
