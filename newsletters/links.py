"""Signed links in sign-up emails: a confirmation link that expires, and unsubscribe and preference
links that do not (every newsletter email carries them, however old it is).

The links hold public ids or an email and a signature made with SECRET_KEY and their own salt, so one
kind of link cannot be used as another, and a changed character makes the link invalid.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.urls import reverse

CONFIRM_SALT = "newsletters.confirm"
UNSUBSCRIBE_SALT = "newsletters.unsubscribe"
PREFERENCES_SALT = "newsletters.preferences"


class LinkInvalidError(Exception):
    """The link was changed, cut short or made for something else."""


class LinkExpiredError(Exception):
    """A confirmation link older than NEWSLETTER_CONFIRM_MAX_AGE_DAYS."""


def confirm_token(*, public_ids: list[str]) -> str:
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object({"s": public_ids}, compress=True)


def public_ids_from_confirm_token(token: str) -> list[str]:
    max_age = timedelta(days=settings.NEWSLETTER_CONFIRM_MAX_AGE_DAYS)
    try:
        data = signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise LinkExpiredError from exc
    except (signing.BadSignature, ValueError) as exc:
        raise LinkInvalidError from exc
    ids = data.get("s") if isinstance(data, dict) else None
    if not isinstance(ids, list) or not ids or not all(isinstance(value, str) for value in ids):
        raise LinkInvalidError
    return ids


def unsubscribe_token(*, public_id: str) -> str:
    return signing.Signer(salt=UNSUBSCRIBE_SALT).sign(public_id)


def public_id_from_unsubscribe_token(token: str) -> str:
    try:
        return signing.Signer(salt=UNSUBSCRIBE_SALT).unsign(token)
    except signing.BadSignature as exc:
        raise LinkInvalidError from exc


def preferences_token(*, email: str) -> str:
    return signing.Signer(salt=PREFERENCES_SALT).sign_object({"e": email.lower()}, compress=True)


def email_from_preferences_token(token: str) -> str:
    try:
        data = signing.Signer(salt=PREFERENCES_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError) as exc:
        raise LinkInvalidError from exc
    email = data.get("e") if isinstance(data, dict) else None
    if not isinstance(email, str) or not email:
        raise LinkInvalidError
    return email


def _absolute(path: str) -> str:
    return settings.SITE_URL + path


def confirm_url(*, public_ids: list[str]) -> str:
    return _absolute(reverse("newsletters:confirm", args=[confirm_token(public_ids=public_ids)]))


def unsubscribe_url(*, public_id: str) -> str:
    return _absolute(reverse("newsletters:unsubscribe", args=[unsubscribe_token(public_id=public_id)]))


def preferences_url(*, email: str) -> str:
    return _absolute(reverse("newsletters:preferences", args=[preferences_token(email=email)]))


def list_unsubscribe_headers(*, public_id: str) -> dict[str, str]:
    """RFC 8058: a mail client's "Unsubscribe" button POSTs `List-Unsubscribe=One-Click` to the URL."""
    return {
        "List-Unsubscribe": f"<{unsubscribe_url(public_id=public_id)}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
