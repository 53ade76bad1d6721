"""The receipt for a succeeded contribution, sent at most once per contribution.

The row is claimed with one conditional UPDATE before the mail is sent, so no row lock is held
while the mail server is talked to; a send that fails gives the claim back for the task's retry.
"""

from django.utils import timezone

from accounts.emails import how_to_reach_us
from accounts.tasks import send_templated_email
from payments.models import Contribution
from payments.money import format_money


def contribution_receipt_send(*, contribution_id: int) -> bool:
    """Send the receipt unless it was sent; returns whether this call sent it."""
    claimed_at = timezone.now()
    claimed = Contribution.objects.filter(
        pk=contribution_id, receipt_sent_at__isnull=True, status=Contribution.Status.SUCCEEDED
    ).update(receipt_sent_at=claimed_at)
    if not claimed:
        return False
    contribution = Contribution.objects.select_related("contributor").get(pk=contribution_id)
    paid_at = contribution.succeeded_at or claimed_at
    try:
        send_templated_email(
            to=contribution.contributor.email,
            template="emails/receipt",
            context={
                "name": contribution.contributor.name,
                "amount": format_money(contribution.amount_minor, contribution.currency),
                "fee_covered": format_money(contribution.fee_covered_minor, contribution.currency)
                if contribution.fee_covered_minor
                else "",
                "date": paid_at.date().isoformat(),
                "card_brand": contribution.card_brand.title(),
                "card_last4": contribution.card_last4,
                "frequency": contribution.frequency,
                "reference": str(contribution.public_id),
                **how_to_reach_us(),
            },
        )
    except Exception:
        Contribution.objects.filter(pk=contribution_id, receipt_sent_at=claimed_at).update(
            receipt_sent_at=None
        )
        raise
    return True
