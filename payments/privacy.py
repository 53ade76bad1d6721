"""Erasing a contributor's personal data while the money rows stay, because accounting law needs them.

Contributions and ledger entries are kept with their amounts, currencies, dates and Stripe ids (a refund
or a reconciliation still finds them); what names a person goes: the email becomes a placeholder unique
to the row, the name, dedication, card digits and session go, and the stored Stripe events lose the
fields that carry personal data (Stripe keeps the originals until the customer is deleted there).
The ledger is append-only and holds no personal data: nothing in it changes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q

from payments.models import Contribution, Contributor, WebhookEvent

ERASED_DOMAIN = "erased.invalid"
# Keys of Stripe objects whose values describe a person (at any depth of an event's JSON).
PERSONAL_KEYS = frozenset(
    {
        "address",
        "billing_details",
        "customer_address",
        "customer_email",
        "customer_name",
        "customer_phone",
        "customer_shipping",
        "email",
        "phone",
        "receipt_email",
        "shipping",
        "dedication",
    }
)
# A product or plan has a "name" too: on these objects only, it names a person.
PERSONAL_OBJECT_KEYS = {"customer": frozenset({"name", "description"})}


def erased_email(contributor_id: int) -> str:
    """A placeholder that stays unique (the column is) and can never receive mail (RFC 2606's .invalid)."""
    return f"erased-{contributor_id}@{ERASED_DOMAIN}"


def contributors_anonymise(*, contributor_ids: Iterable[int]) -> int:
    """Erase the personal data of these contributors and their contributions; returns how many."""
    ids = list(contributor_ids)
    with transaction.atomic():
        for contributor in Contributor.objects.select_for_update().filter(pk__in=ids):
            emails = [contributor.email]
            contributor.email = erased_email(contributor.pk)
            contributor.name = ""
            contributor.user = None
            contributor.save(update_fields=["email", "name", "user"])
            webhook_payloads_scrub(
                customer_id=contributor.stripe_customer_id or "", emails=emails, contributor=contributor
            )
        Contribution.objects.filter(contributor_id__in=ids).update(
            dedication="", session_key="", user=None, card_last4="", failure_message=""
        )
    return len(ids)


def webhook_payloads_scrub(*, customer_id: str, emails: list[str], contributor: Contributor) -> int:
    """Blank the personal fields of every stored Stripe event that names this customer or email.

    A text search over the payloads: slow on a large table, but it runs once per deleted account.
    """
    refs = [ref for ref in [customer_id, *emails] if ref]
    refs += [
        intent_id
        for intent_id in Contribution.objects.filter(contributor=contributor).values_list(
            "stripe_payment_intent_id", flat=True
        )
        if intent_id
    ]
    if not refs:
        return 0
    matches = Q()
    for ref in refs:
        matches |= Q(payload__contains=ref)
    scrubbed = 0
    for event in WebhookEvent.objects.filter(matches).only("pk", "payload"):
        payload = json.loads(event.payload)
        clean = _without_personal_data(payload)
        if clean != payload:
            WebhookEvent.objects.filter(pk=event.pk).update(payload=json.dumps(clean))
            scrubbed += 1
    return scrubbed


def _without_personal_data(value: Any) -> Any:
    if isinstance(value, dict):
        personal = PERSONAL_KEYS | PERSONAL_OBJECT_KEYS.get(str(value.get("object")), frozenset())
        return {
            key: None if key in personal and item is not None else _without_personal_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [_without_personal_data(item) for item in value]
    return value
