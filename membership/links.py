"""The signed link in dunning emails to a page about one membership; the portal later replaces its target."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

from membership.models import Membership

SALT = "membership.manage-link"
# Long enough to outlast the grace period it is usually sent at the start of.
MAX_AGE = timedelta(days=30)


class LinkExpiredError(Exception):
    """The link was genuine but is older than MAX_AGE."""


class LinkInvalidError(Exception):
    """The link was not made by us (tampered, truncated, or for a membership that is gone)."""


def manage_token(*, membership_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"m": membership_id}, compress=False)


def manage_url(*, membership_id: int) -> str:
    """The absolute link an email carries: it names the membership and expires after MAX_AGE."""
    path = reverse("membership:manage", kwargs={"token": manage_token(membership_id=membership_id)})
    return f"{settings.SITE_URL}{path}"


def membership_from_token(token: str) -> Membership:
    """The membership a genuine, unexpired token names; LinkExpiredError or LinkInvalidError otherwise."""
    signer = signing.TimestampSigner(salt=SALT)
    try:
        data = signer.unsign_object(token, max_age=MAX_AGE)
    except signing.SignatureExpired as exc:
        raise LinkExpiredError(str(exc)) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise LinkInvalidError(str(exc)) from exc
    membership_id = data.get("m") if isinstance(data, dict) else None
    if not isinstance(membership_id, int):
        raise LinkInvalidError("the link names no membership")
    membership = Membership.objects.select_related("contributor", "tier").filter(pk=membership_id).first()
    if membership is None:
        raise LinkInvalidError("the membership is gone")
    return membership
