"""A guest's giving joins a reader's account when, and only when, the reader verifies its email.

Checkout records a guest by email alone. Verifying that email (the confirmation link, or a sign-in
code, which allauth counts as verification; both send `email_confirmed`) proves the reader receives it,
so every contributor with that email that no account holds yet, its contributions and, through the
contributor, its memberships, attach to the account. An address added but not yet verified attaches
nothing, and a contributor another account holds is never moved.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from payments.models import Contribution, Contributor


def history_claim(*, user_id: int, email: str) -> int:
    """Attach the unclaimed history of `email` to the account; returns how many contributors it took.

    Idempotent: a second call finds nothing unclaimed.
    """
    with transaction.atomic():
        contributors = list(
            Contributor.objects.select_for_update()
            .filter(email__iexact=email.strip(), user__isnull=True)
            .values_list("pk", flat=True)
        )
        if not contributors:
            return 0
        Contributor.objects.filter(pk__in=contributors).update(user_id=user_id)
        Contribution.objects.filter(contributor_id__in=contributors, user__isnull=True).update(
            user_id=user_id
        )
    return len(contributors)


def on_email_confirmed(sender: Any, request: Any, email_address: Any, **kwargs: Any) -> None:
    """allauth's `email_confirmed`: the reader now proved this address is theirs."""
    if email_address.verified and email_address.user_id:
        history_claim(user_id=email_address.user_id, email=email_address.email)
