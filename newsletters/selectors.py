"""Reads of newsletters: those open for sign-ups, a reader's sign-ups, and the export's rows."""

from collections.abc import Iterator
from datetime import datetime

from newsletters.models import Newsletter, NewsletterSignup


def open_newsletters() -> list[Newsletter]:
    return list(Newsletter.objects.filter(is_active=True))


def default_newsletters() -> list[Newsletter]:
    """What the footer's and the thank-you page's form (which name no newsletter) sign up to."""
    return list(Newsletter.objects.filter(is_active=True, is_default=True))


def newsletters_by_slug(slugs: list[str]) -> list[Newsletter]:
    return list(Newsletter.objects.filter(is_active=True, slug__in=slugs))


def signups_of(*, email: str) -> dict[int, NewsletterSignup]:
    """A reader's sign-ups by newsletter id (the preference page)."""
    return {signup.newsletter_id: signup for signup in NewsletterSignup.objects.filter(email=email.lower())}


def signups_for_export(
    *,
    status: str = NewsletterSignup.Status.CONFIRMED,
    newsletter: str = "",
    changed_since: datetime | None = None,
) -> Iterator[NewsletterSignup]:
    """In a stable order (oldest change first, then id) so the API's cursor never skips a row."""
    rows = NewsletterSignup.objects.select_related("newsletter").order_by("updated_at", "pk")
    if status:
        rows = rows.filter(status=status)
    if newsletter:
        rows = rows.filter(newsletter__slug=newsletter)
    if changed_since is not None:
        rows = rows.filter(updated_at__gte=changed_since)
    return rows.iterator(chunk_size=2000)
