"""Emails to the reader about their money: the receipt for a succeeded contribution, once per contribution,
and the notice of a refund Stripe confirmed, once per refund."""

from django.conf import settings
from django.utils import timezone, translation

from accounts.emails import how_to_reach_us, send_once
from accounts.tasks import send_templated_email
from payments import registry
from payments.models import Contribution
from payments.models.ledger import RefundNotice
from payments.money import format_day, format_money


def reader_language(contributor) -> str:
    """The language the reader gave in (their receipts and reminders are written in it)."""
    return (
        contributor.language if contributor.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    )


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
    language = reader_language(contribution.contributor)
    locale = translation.to_locale(language)
    send_templated_email(
        to=contribution.contributor.email,
        template="emails/receipt",
        language=language,
        context={
            "name": contribution.contributor.name,
            "amount": format_money(contribution.amount_minor, contribution.currency, locale),
            "fee_covered": format_money(contribution.fee_covered_minor, contribution.currency, locale)
            if contribution.fee_covered_minor
            else "",
            "date": format_day(paid_at, language=language),
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
    language = reader_language(contribution.contributor)
    locale = translation.to_locale(language)
    send_templated_email(
        to=contribution.contributor.email,
        template="emails/refund",
        language=language,
        context={
            "name": contribution.contributor.name,
            "refund": format_money(-entry.amount_minor, entry.currency, locale),
            "amount": format_money(contribution.amount_minor, currency, locale),
            "refunded_in_all": format_money(refunded_in_all, currency, locale),
            "remaining": format_money(contribution.amount_minor - refunded_in_all, currency, locale),
            "in_full": refunded_in_all >= contribution.amount_minor,
            "date": format_day(entry.occurred_at, language=language),
            "card_brand": contribution.card_brand.title(),
            "card_last4": contribution.card_last4,
            "frequency": contribution.frequency,
            "reference": str(contribution.public_id),
            **how_to_reach_us(),
        },
    )
