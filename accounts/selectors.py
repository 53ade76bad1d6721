"""Reads about accounts that other apps need: who owns an email address, once it is verified."""

from __future__ import annotations

from allauth.account.models import EmailAddress


def verified_email_owner_id(*, email: str) -> int | None:
    """The account that verified this email address (any of its addresses, case-insensitive), if one did."""
    return (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
        .values_list("user_id", flat=True)
        .first()
    )
