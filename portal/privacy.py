"""The reader's data: everything held about them as one JSON document, and deleting their account.

Deleting runs in the order that never leaves a card charged for a person we no longer know: every
membership still renewing is canceled at Stripe first (a Stripe failure stops here, nothing erased),
then each Stripe customer is deleted, and only then, in one transaction, personal data is erased and
the account removed. Money rows stay (accounting law), anonymised: ledger totals never move.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from membership import changes
from membership import privacy as membership_privacy
from membership.lifecycle import Cause
from membership.models import Membership, MembershipEvent, MembershipNotice, SaveOffer
from payments import gateway
from payments import privacy as payment_privacy
from payments.models import Contribution, Contributor
from payments.models.ledger import RefundNotice

EXPORT_FORMAT = 1


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def reader_data_export(*, user: User) -> dict[str, Any]:
    """All we hold about the reader, amounts in minor units beside their ISO 4217 currency."""
    contributors = list(Contributor.objects.filter(user=user).order_by("pk"))
    contributions = Contribution.objects.filter(contributor__in=contributors).order_by("created_at", "pk")
    memberships = (
        Membership.objects.filter(contributor__in=contributors).select_related("tier").order_by("pk")
    )
    events = MembershipEvent.objects.filter(membership__in=memberships).order_by("occurred_at", "pk")
    notices = MembershipNotice.objects.filter(membership__in=memberships, sent_at__isnull=False)
    refund_notices = RefundNotice.objects.filter(
        ledger_entry__contribution__in=contributions, sent_at__isnull=False
    ).select_related("ledger_entry")
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "name": user.name,
            "joined_at": _when(user.date_joined),
            "last_login_at": _when(user.last_login),
            "email_addresses": [
                {"email": address.email, "verified": address.verified, "primary": address.primary}
                for address in EmailAddress.objects.filter(user=user).order_by("pk")
            ],
            "email_preferences": {"appeals": user.email_appeals, "reminders": user.email_reminders},
        },
        "contributors": [
            {
                "email": contributor.email,
                "name": contributor.name,
                "created_at": _when(contributor.created_at),
                "stripe_customer_id": contributor.stripe_customer_id,
            }
            for contributor in contributors
        ],
        "contributions": [_contribution(contribution) for contribution in contributions],
        "memberships": [_membership(membership) for membership in memberships],
        "membership_events": [_event(event) for event in events],
        "save_offers": [
            {
                "membership": offer.membership_id,
                "offers_shown": offer.offers_shown,
                "offer_taken": offer.offer_taken,
                "outcome": offer.outcome,
                "reason": offer.reason,
                "reason_text": offer.reason_text,
                "shown_at": _when(offer.shown_at),
                "decided_at": _when(offer.decided_at),
            }
            for offer in SaveOffer.objects.filter(membership__in=memberships).order_by("pk")
        ],
        "email_log": sorted(
            [
                *(
                    {
                        "email": "receipt",
                        "contribution": str(c.public_id),
                        "sent_at": _when(c.receipt_sent_at),
                    }
                    for c in contributions
                    if c.receipt_sent_at
                ),
                *(
                    {"email": "welcome", "membership": m.pk, "sent_at": _when(m.welcome_sent_at)}
                    for m in memberships
                    if m.welcome_sent_at
                ),
                *(
                    {
                        "email": notice.kind,
                        "membership": notice.membership_id,
                        "sent_at": _when(notice.sent_at),
                    }
                    for notice in notices
                ),
                *(
                    {
                        "email": "refund",
                        "contribution": str(notice.ledger_entry.contribution.public_id)
                        if notice.ledger_entry.contribution
                        else None,
                        "sent_at": _when(notice.sent_at),
                    }
                    for notice in refund_notices
                ),
            ],
            key=lambda row: row["sent_at"] or "",
        ),
    }


def _contribution(contribution: Contribution) -> dict[str, Any]:
    return {
        "reference": str(contribution.public_id),
        "created_at": _when(contribution.created_at),
        "paid_at": _when(contribution.succeeded_at),
        "frequency": contribution.frequency,
        "amount_minor": contribution.amount_minor,
        "fee_covered_minor": contribution.fee_covered_minor,
        "amount_refunded_minor": contribution.amount_refunded_minor,
        "currency": contribution.currency,
        "status": contribution.status,
        "membership": contribution.membership_id,
        "card_brand": contribution.card_brand,
        "card_last4": contribution.card_last4,
        "dedication": contribution.dedication,
        "anonymous": contribution.anonymous,
        "attribution": contribution.attribution(),
    }


def _membership(membership: Membership) -> dict[str, Any]:
    return {
        "id": membership.pk,
        "state": membership.state,
        "tier": membership.tier.name if membership.tier else None,
        "amount_minor": membership.amount_minor,
        "currency": membership.currency,
        "interval": membership.interval,
        "started_at": _when(membership.started_at),
        "current_period_end": _when(membership.current_period_end),
        "canceled_at": _when(membership.canceled_at),
        "ended_at": _when(membership.ended_at),
        "card_brand": membership.card_brand,
        "card_last4": membership.card_last4,
        "card_exp_month": membership.card_exp_month,
        "card_exp_year": membership.card_exp_year,
        "stripe_subscription_id": membership.stripe_subscription_id,
    }


def _event(event: MembershipEvent) -> dict[str, Any]:
    return {
        "membership": event.membership_id,
        "kind": event.kind,
        "occurred_at": _when(event.occurred_at),
        "cause": event.cause,
        "monthly_amount_minor": event.monthly_amount_minor,
        "previous_monthly_amount_minor": event.previous_monthly_amount_minor,
        "currency": event.currency,
        "interval": event.interval,
        "reason": event.reason,
        "reason_text": event.reason_text,
    }


def account_delete(*, user: User) -> None:
    """Cancel at Stripe, delete the Stripe customers, then erase and remove the account.

    Safe to run again after a failure part-way: canceled memberships and deleted customers are skipped.
    Raises gateway.GatewayError when Stripe could not be reached, before anything is erased.
    """
    contributors = list(Contributor.objects.filter(user=user))
    cause = Cause.reader(user.pk)
    for membership in Membership.objects.filter(contributor__in=contributors).exclude(
        state=Membership.State.ENDED
    ):
        changes.membership_cancel_now(membership=membership, cause=cause)
    for contributor in contributors:
        if contributor.stripe_customer_id:
            gateway.delete_customer(contributor.stripe_customer_id)
    contributor_ids = [contributor.pk for contributor in contributors]
    with transaction.atomic():
        membership_privacy.memberships_anonymise(contributor_ids=contributor_ids)
        payment_privacy.contributors_anonymise(contributor_ids=contributor_ids)
        Contribution.objects.filter(user=user).update(user=None)
        user.delete()
