"""Emails to the reader about their money: the receipt for a succeeded contribution, once per contribution,
and the notice of a refund Stripe confirmed, once per refund."""

from django.utils import timezone

from accounts.emails import how_to_reach_us, send_once
from accounts.tasks import send_templated_email
from payments import registry
from payments.models import Contribution
from payments.models.ledger import RefundNotice
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


def contribution_receipt_resend(*, contribution_id: int) -> bool:
    """Send the receipt again, on purpose (staff asked), whether or not it was sent before.

    Unlike `contribution_receipt_send`, no claim guards it: each call is one more email. Returns False,
    sending nothing, unless the contribution succeeded.
    """
    rows = Contribution.objects.filter(pk=contribution_id, status=Contribution.Status.SUCCEEDED)
    if not rows.exists():
        return False
    _send_receipt(contribution_id)
    rows.update(receipt_sent_at=timezone.now())
    return True


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
            **registry.receipt_links(contribution),
        },
    )


def refund_notice_send(*, notice_id: int) -> bool:
    """Tell the reader about one refund unless it was told; returns whether this call sent it."""
    return send_once(
        rows=RefundNotice.objects.filter(pk=notice_id, ledger_entry__contribution__isnull=False),
        claim_field="claimed_at",
        sent_field="sent_at",
        send=lambda: _send_refund_notice(notice_id),
    )


def _send_refund_notice(notice_id: int) -> None:
    notice = RefundNotice.objects.select_related(
        "ledger_entry__contribution__contributor", "ledger_entry"
    ).get(pk=notice_id)
    entry = notice.ledger_entry
    contribution = entry.contribution
    assert contribution is not None  # refund_notice_send sends only for an entry with its contribution
    currency = contribution.currency
    refunded_in_all = min(contribution.amount_refunded_minor, contribution.amount_minor)
    send_templated_email(
        to=contribution.contributor.email,
        template="emails/refund",
        context={
            "name": contribution.contributor.name,
            "refund": format_money(-entry.amount_minor, entry.currency),
            "amount": format_money(contribution.amount_minor, currency),
            "refunded_in_all": format_money(refunded_in_all, currency),
            "remaining": format_money(contribution.amount_minor - refunded_in_all, currency),
            "in_full": refunded_in_all >= contribution.amount_minor,
            "date": entry.occurred_at.date().isoformat(),
            "card_brand": contribution.card_brand.title(),
            "card_last4": contribution.card_last4,
            "frequency": contribution.frequency,
            "reference": str(contribution.public_id),
            **how_to_reach_us(),
        },
    )
