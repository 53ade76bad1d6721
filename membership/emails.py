"""The welcome email of a new member, sent once whichever payment of the membership reaches us first."""

from django.utils import translation

from accounts.emails import how_to_reach_us, send_once
from accounts.tasks import send_templated_email
from membership.models import Membership
from membership.tiers import membership_tier
from payments.emails import reader_language
from payments.money import format_money


def membership_welcome_send(*, membership_id: int) -> bool:
    """Send the welcome unless it was sent; returns whether this call sent it."""
    rows = Membership.objects.filter(pk=membership_id)
    return send_once(
        rows=rows,
        claim_field="welcome_claimed_at",
        sent_field="welcome_sent_at",
        send=lambda: _send_welcome(membership_id),
    )


def _send_welcome(membership_id: int) -> None:
    membership = Membership.objects.select_related("contributor").get(pk=membership_id)
    tier = membership_tier(membership_id=membership_id)
    language = reader_language(membership.contributor)
    send_templated_email(
        to=membership.contributor.email,
        template="emails/membership_welcome",
        language=language,
        context={
            "name": membership.contributor.name,
            "amount": format_money(
                membership.amount_minor, membership.currency, translation.to_locale(language)
            ),
            "interval": membership.interval,
            "tier": tier.name if tier else "",
            "benefits": [benefit.name for benefit in tier.benefits.all()] if tier else [],
            **how_to_reach_us(),
        },
    )
