"""The membership check: is this reader a member, with which tier and benefits; cached per reader.

Read on every platform response (the member cookie) and by the news site's status call, so the answer
lives in the cache and is invalidated, after commit, by every membership write and succeeded gift.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from membership.models import Membership
from payments.models import Contribution, Contributor, Frequency

# Which membership speaks for a reader with several (EUR and USD, an old ended one): the live ones
# first, and among them the one in the best standing.
STATE_RANK: dict[str, int] = {
    Membership.State.ACTIVE: 0,
    Membership.State.CANCELING: 1,
    Membership.State.PAST_DUE: 2,
    Membership.State.PAUSED: 3,
    Membership.State.PENDING: 4,
    Membership.State.ENDED: 5,
}
# The per-reader version outlives any token issued under it (tokens live MEMBER_TOKEN_TTL_SECONDS).
VERSION_TIMEOUT_SECONDS = 8 * 24 * 3600


@dataclass(frozen=True)
class MemberStatus:
    member: bool = False
    state: str | None = None
    tier: str | None = None
    benefits: list[str] = field(default_factory=list)
    recent_supporter: bool = False
    version: int = 0  # the reader's cache version it was computed under (see member_status_invalidate)

    def as_claims(self) -> dict[str, Any]:
        """What the news site sees: the status answer and the token's membership claims."""
        return {
            "member": self.member,
            "state": self.state,
            "tier": self.tier,
            "benefits": list(self.benefits),
            "recent_supporter": self.recent_supporter,
        }


def _status_key(user_id: int) -> str:
    return f"membership:status:{user_id}"


def _version_key(user_id: int) -> str:
    return f"membership:status-version:{user_id}"


def member_status_version(*, user_id: int) -> int:
    """The reader's version: a token issued under an older one is refreshed by the middleware."""
    return int(cache.get(_version_key(user_id)) or 0)


def member_status_for_user(*, user_id: int) -> MemberStatus:
    """The reader's status from the cache (one round trip), else computed and cached.

    The cached entry carries the version it was computed under; an entry from before the latest
    invalidation is never served, even if a slow request wrote it back after the invalidation.
    """
    found = cache.get_many([_status_key(user_id), _version_key(user_id)])
    version = int(found.get(_version_key(user_id)) or 0)
    entry = found.get(_status_key(user_id))
    if entry is not None and entry[0] == version and time.time() < entry[2]:
        return MemberStatus(**entry[1], version=version)
    status, timeout = _computed(user_id=user_id, version=version)
    # The entry also says until when it holds, read by our clock: the cache's own expiry runs on the
    # cache server's clock, which a frozen or skewed clock here does not move.
    cache.set(_status_key(user_id), (version, status.as_claims(), time.time() + timeout), timeout)
    return status


def _computed(*, user_id: int, version: int) -> tuple[MemberStatus, int]:
    """The status from the database, and how long it may be cached.

    It may be cached until the last gift stops counting as recent (time, not a write, changes that),
    and never longer than MEMBER_STATUS_CACHE_SECONDS: state changes that no service reports
    (a contributor linked to an account later) show within that.
    """
    memberships = list(
        Membership.objects.filter(contributor__user_id=user_id)
        .select_related("tier")
        .prefetch_related("tier__benefits")
    )
    live = [membership for membership in memberships if membership.is_active]
    best = min(memberships, key=lambda m: STATE_RANK.get(m.state, 9), default=None)
    tiers = [membership.tier for membership in live if membership.tier is not None]
    top_tier = max(tiers, key=lambda tier: tier.position, default=None)
    benefits = {benefit.code: benefit.position for tier in tiers for benefit in tier.benefits.all()}

    timeout = settings.MEMBER_STATUS_CACHE_SECONDS
    quiet = timedelta(days=settings.SUPPORTER_QUIET_DAYS)
    last_gift = (
        Contribution.objects.filter(
            contributor__user_id=user_id,
            frequency=Frequency.ONE_OFF,
            status=Contribution.Status.SUCCEEDED,
            succeeded_at__isnull=False,
        )
        .order_by("-succeeded_at")
        .values_list("succeeded_at", flat=True)
        .first()
    )
    recent_for = (last_gift + quiet - timezone.now()).total_seconds() if last_gift else 0
    if recent_for > 0:
        timeout = max(1, min(timeout, int(recent_for)))
    status = MemberStatus(
        member=bool(live),
        state=best.state if best else None,
        tier=top_tier.name if top_tier else None,
        benefits=sorted(benefits, key=lambda code: (benefits[code], code)),
        recent_supporter=recent_for > 0,
        version=version,
    )
    return status, timeout


def member_status_invalidate(*, contributor_id: int) -> None:
    """Forget the status of the contributor's reader: their next check and next token see the change.

    Call after commit (a request that reads before the commit would cache the old answer again).
    """
    user_id = Contributor.objects.filter(pk=contributor_id).values_list("user_id", flat=True).first()
    if user_id is not None:
        member_status_invalidate_user(user_id=user_id)


def member_status_invalidate_user(*, user_id: int) -> None:
    key = _version_key(user_id)
    cache.add(key, 0, VERSION_TIMEOUT_SECONDS)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, VERSION_TIMEOUT_SECONDS)
    cache.touch(key, VERSION_TIMEOUT_SECONDS)
    cache.delete(_status_key(user_id))


def invalidate_on_contribution_succeeded(contribution: Contribution) -> None:
    """Registered for "a contribution succeeded": a gift can make a reader a recent supporter."""
    contributor_id = contribution.contributor_id
    transaction.on_commit(lambda: member_status_invalidate(contributor_id=contributor_id))
