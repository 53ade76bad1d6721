"""Signed, expiring one-click links in emails: manage this membership, update its card, cancel it.

A link names one membership and one action; it opens a confirmation page (nothing changes on a GET),
works for its own membership only, and once its action is done it says so instead of acting again.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse

from membership.models import Membership, UsedLink
from payments.models import Contribution

SALT = "membership.email-link"
# Long enough to outlast the grace period it is usually sent at the start of.
MAX_AGE = timedelta(days=30)
MANAGE, CARD, CANCEL = "manage", "card", "cancel"
ACTIONS = (MANAGE, CARD, CANCEL)


class LinkExpiredError(Exception):
    """The link was genuine but is older than MAX_AGE."""


class LinkInvalidError(Exception):
    """The link was not made by us (tampered, truncated, another membership's, or the membership is gone)."""


class LinkUsedError(Exception):
    """The link's action was done already: a link acts once."""


def link_token(*, membership_id: int, action: str) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"m": membership_id, "a": action}, compress=False)


def link_url(*, membership_id: int, action: str) -> str:
    """The absolute link an email carries: one membership, one action, MAX_AGE to live."""
    token = link_token(membership_id=membership_id, action=action)
    path = reverse("membership:link", kwargs={"membership_id": membership_id, "token": token})
    return f"{settings.SITE_URL}{path}"


def manage_url(*, membership_id: int) -> str:
    return link_url(membership_id=membership_id, action=MANAGE)


def email_links(*, membership_id: int) -> dict[str, str]:
    """The three links every receipt and reminder about a membership carries."""
    return {
        "membership_url": link_url(membership_id=membership_id, action=MANAGE),
        "card_url": link_url(membership_id=membership_id, action=CARD),
        "cancel_url": link_url(membership_id=membership_id, action=CANCEL),
    }


def receipt_links(contribution: Contribution) -> dict[str, str]:
    """For the receipt email (registered with payments): a membership payment's links, else none."""
    if contribution.membership_id is None:
        return {}
    return email_links(membership_id=contribution.membership_id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def link_open(token: str, *, membership_id: int) -> tuple[Membership, str]:
    """The membership and action a genuine, unexpired, unused link for `membership_id` names."""
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpiredError(str(exc)) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise LinkInvalidError(str(exc)) from exc
    named = data.get("m") if isinstance(data, dict) else None
    action = data.get("a") if isinstance(data, dict) else None
    if named != membership_id or action not in ACTIONS:
        raise LinkInvalidError("the link is for another membership")
    membership = Membership.objects.select_related("contributor", "tier").filter(pk=membership_id).first()
    if membership is None:
        raise LinkInvalidError("the membership is gone")
    if UsedLink.objects.filter(token_digest=_digest(token)).exists():
        raise LinkUsedError("the link was used")
    return membership, action


def link_mark_used(token: str, *, membership: Membership, action: str) -> None:
    """Record that the link did its action; a second use (say, a double click) raises LinkUsedError."""
    try:
        with transaction.atomic():
            UsedLink.objects.create(token_digest=_digest(token), membership=membership, action=action)
    except IntegrityError as exc:
        raise LinkUsedError("the link was used") from exc
