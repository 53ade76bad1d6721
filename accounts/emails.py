"""What every email to a reader says about how to reach us, and sending an email at most once per row."""

from collections.abc import Callable

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone


def how_to_reach_us() -> dict:
    """Where a reader manages or cancels, whom to ask, and who we are. Plain values: tasks serialise them."""
    return {
        "manage_url": f"{settings.SITE_URL}/accounts/login/",
        "support_email": settings.DEFAULT_FROM_EMAIL,
        "organisation": settings.ORGANISATION_DETAILS,
    }


def send_once(*, rows: QuerySet, sent_field: str, send: Callable[[], None]) -> bool:
    """Claim the row by stamping `sent_field` (one conditional UPDATE), then send; returns whether it sent.

    No row lock is held while the mail server is talked to. A send that fails gives the claim back, so
    the task's retry sends it; a second run after a success finds the stamp and sends nothing.
    """
    claimed_at = timezone.now()
    if not rows.filter(**{f"{sent_field}__isnull": True}).update(**{sent_field: claimed_at}):
        return False
    try:
        send()
    except Exception:
        rows.filter(**{sent_field: claimed_at}).update(**{sent_field: None})
        raise
    return True
