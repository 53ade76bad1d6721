"""One row per sign-up for the mailing tool, the same in the CSV and the JSON API, with the links the
tool must put in every newsletter it sends (one-click unsubscribe and the preference page)."""

from newsletters.links import preferences_url, unsubscribe_url
from newsletters.models import NewsletterSignup

FIELDS = [
    "signup_id",
    "email",
    "newsletter",
    "status",
    "language",
    "source",
    "consent_text",
    "consent_at",
    "confirmed_at",
    "unsubscribed_at",
    "updated_at",
    "unsubscribe_url",
    "preferences_url",
]


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def signup_record(signup: NewsletterSignup) -> dict:
    return {
        "signup_id": str(signup.public_id),
        "email": signup.email,
        "newsletter": signup.newsletter.slug,
        "status": signup.status,
        "language": signup.language,
        "source": signup.source,
        "consent_text": signup.consent_text,
        "consent_at": _iso(signup.consent_at),
        "confirmed_at": _iso(signup.confirmed_at),
        "unsubscribed_at": _iso(signup.unsubscribed_at),
        "updated_at": _iso(signup.updated_at),
        "unsubscribe_url": unsubscribe_url(public_id=str(signup.public_id)),
        "preferences_url": preferences_url(email=signup.email),
    }
