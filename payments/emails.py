"""The receipt for a succeeded contribution, sent at most once per contribution."""

from accounts.emails import how_to_reach_us, send_once
from accounts.tasks import send_templated_email
from payments.models import Contribution
from payments.money import format_money


def contribution_receipt_send(*, contribution_id: int) -> bool:
    """Send the receipt unless it was sent; returns whether this call sent it."""
    rows = Contribution.objects.filter(pk=contribution_id, status=Contribution.Status.SUCCEEDED)
    return send_once(
        rows=rows,
        claim_field="receipt_claimed_at",
        sent_field="receipt_sent_at",
        send=lambda: _send_receipt(contribution_id),
    )


def _send_receipt(contribution_id: int) -> None:
    contribution = Contribution.objects.select_related("contributor").get(pk=contribution_id)
    paid_at = contribution.succeeded_at or contribution.receipt_claimed_at
    send_templated_email(
        to=contribution.contributor.email,
        template="emails/receipt",
        context={
            "name": contribution.contributor.name,
            "amount": format_money(contribution.amount_minor, contribution.currency),
            "fee_covered": format_money(contribution.fee_covered_minor, contribution.currency)
            if contribution.fee_covered_minor
            else "",
            "date": paid_at.date().isoformat() if paid_at else "",
            "card_brand": contribution.card_brand.title(),
            "card_last4": contribution.card_last4,
            "frequency": contribution.frequency,
            "reference": str(contribution.public_id),
            **how_to_reach_us(),
        },
    )
