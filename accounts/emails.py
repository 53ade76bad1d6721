"""What every email to a reader says about how to reach us, and sending an email at most once per row."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone


def how_to_reach_us() -> dict:
    """Where a reader manages or cancels, whom to ask, and who we are. Plain values: tasks serialise them."""
    return {
        "manage_url": f"{settings.SITE_URL}/account/",  # the portal; signing in (by code too) leads there
        "support_email": settings.DEFAULT_FROM_EMAIL,
        "organisation": settings.ORGANISATION_DETAILS,
    }


class EmailInFlightError(Exception):
    """Another worker took this email less than EMAIL_CLAIM_TIMEOUT_SECONDS ago and has not sent it yet."""


def send_once(*, rows: QuerySet, claim_field: str, sent_field: str, send: Callable[[], None]) -> bool:
    """Send the row's email unless it was sent; returns whether this call sent it.

    The row is claimed (one conditional UPDATE of `claim_field`), the mail sent with no row lock held,
    then `sent_field` stamped. A send that fails gives the claim back for the task's retry. A worker that
    died between claim and send leaves a claim that goes stale after EMAIL_CLAIM_TIMEOUT_SECONDS and is
    taken over; until then EmailInFlightError tells the task to try again later. So an email is sent
    at least once, and twice only if a worker dies after sending and before stamping.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.EMAIL_CLAIM_TIMEOUT_SECONDS)
    unsent = rows.filter(**{f"{sent_field}__isnull": True})
    claimable = Q(**{f"{claim_field}__isnull": True}) | Q(**{f"{claim_field}__lt": stale})
    if not unsent.filter(claimable).update(**{claim_field: now}):
        if unsent.exists():
            raise EmailInFlightError(f"{rows.model.__name__} email already being sent")
        return False
    mine = rows.filter(**{claim_field: now})
    try:
        send()
    except Exception:
        mine.update(**{claim_field: None})
        raise
    mine.update(**{sent_field: timezone.now()})
    return True
