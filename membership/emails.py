"""The welcome email of a new member, sent once whichever payment of the membership reaches us first.

Claimed with one conditional UPDATE before the mail is sent (no row lock while the mail server is
talked to); a send that fails gives the claim back for the task's retry.
"""

from django.utils import timezone

from accounts.emails import how_to_reach_us
from accounts.tasks import send_templated_email
from membership.models import Membership
from payments.money import format_money


def membership_welcome_send(*, membership_id: int) -> bool:
    """Send the welcome unless it was sent; returns whether this call sent it."""
    claimed_at = timezone.now()
    claimed = Membership.objects.filter(pk=membership_id, welcome_sent_at__isnull=True).update(
        welcome_sent_at=claimed_at
    )
    if not claimed:
        return False
    membership = Membership.objects.select_related("contributor").get(pk=membership_id)
    try:
        send_templated_email(
            to=membership.contributor.email,
            template="emails/membership_welcome",
            context={
                "name": membership.contributor.name,
                "amount": format_money(membership.amount_minor, membership.currency),
                "interval": membership.interval,
                **how_to_reach_us(),
            },
        )
    except Exception:
        Membership.objects.filter(pk=membership_id, welcome_sent_at=claimed_at).update(welcome_sent_at=None)
        raise
    return True
