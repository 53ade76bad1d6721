"""The dunning and reminder emails of a membership: what each says, in plain text and HTML.

Sent once each by membership/dunning.py (`notice_send`); this module only renders and hands over.
Amounts and dates are formatted here, at the edge, for the site's language.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from babel.dates import format_date
from django.conf import settings
from django.utils import translation

from accounts.emails import how_to_reach_us
from accounts.tasks import send_templated_email
from membership import links
from membership.models import Membership, MembershipNotice
from payments.emails import reader_language
from payments.money import format_money

Kind = MembershipNotice.Kind
TEMPLATES: dict[str, str] = {
    Kind.PAYMENT_FAILED: "emails/membership_payment_failed",
    Kind.GRACE_ENDING: "emails/membership_grace_ending",
    Kind.CARD_EXPIRING: "emails/membership_card_expiring",
    Kind.RENEWAL_NOTICE: "emails/membership_renewal_notice",
}


def _locale(language: str) -> str:
    return translation.to_locale(language)


def local_date(value: date | datetime | None, *, language: str) -> str:
    """A date as readers of `language` write it ("14 December 2026")."""
    if value is None:
        return ""
    day = value.date() if isinstance(value, datetime) else value
    return format_date(day, format="long", locale=_locale(language))


def local_month(*, month: int, year: int, language: str) -> str:
    """A card's expiry month as readers of `language` write it ("December 2030")."""
    return format_date(date(year, month, 1), format="LLLL y", locale=_locale(language))


def notice_context(notice: MembershipNotice, *, language: str) -> dict:
    """The plain values the email of this notice shows (the task serialises them)."""
    membership: Membership = notice.membership
    grace_ends = (
        membership.past_due_since + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
        if membership.past_due_since
        else None
    )
    card_month = (
        local_month(month=membership.card_exp_month, year=membership.card_exp_year, language=language)
        if membership.card_exp_month and membership.card_exp_year
        else ""
    )
    return {
        "kind": notice.kind,
        "name": membership.contributor.name,
        "tier": membership.tier.name if membership.tier else "",
        "amount": format_money(membership.amount_minor, membership.currency, _locale(language)),
        "interval": membership.interval,
        "renewal_date": local_date(membership.current_period_end, language=language),
        "grace_end_date": local_date(grace_ends, language=language),
        "card_brand": membership.card_brand.title(),
        "card_last4": membership.card_last4,
        "card_expiry": card_month,
        **links.email_links(membership_id=membership.pk),
        **how_to_reach_us(),
    }


def notice_email_send(*, notice_id: int) -> None:
    """Render and send the notice's email to the contributor (called once, by `send_once`)."""
    notice = MembershipNotice.objects.select_related("membership__contributor", "membership__tier").get(
        pk=notice_id
    )
    language = reader_language(notice.membership.contributor)
    send_templated_email(
        to=notice.membership.contributor.email,
        template=TEMPLATES[notice.kind],
        context=notice_context(notice, language=language),
        language=language,
    )
