"""What the portal's pages show of a membership, in the reader's language (formatting at the edge)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext as _

from membership import dunning, notices
from membership.models import Membership
from payments.money import format_money

State = Membership.State


@dataclass(frozen=True)
class MembershipSummary:
    membership: Membership
    amount: str
    per: str
    state_words: str
    next_payment: str
    card: str
    card_expiry: str


def money(amount_minor: int, currency: str, *, language: str) -> str:
    return format_money(amount_minor, currency, translation.to_locale(language or "en"))


def amount_per(membership: Membership, *, language: str) -> str:
    """ "€10.00 a month" / "€120.00 a year"."""
    amount = money(membership.amount_minor, membership.currency, language=language)
    if membership.interval == Membership.Interval.YEAR:
        return _("%(amount)s a year") % {"amount": amount}
    return _("%(amount)s a month") % {"amount": amount}


def state_in_words(membership: Membership, *, language: str) -> str:
    """The state as a sentence a reader acts on: what happens next, and until when."""
    day = notices.local_date
    if membership.state == State.PAST_DUE:
        until = day(dunning.grace_ends_at(membership), language=language)
        return _(
            "Your last payment did not go through. Update your card by %(date)s to keep your membership."
        ) % {"date": until}
    if membership.state == State.CANCELING:
        return _("Ends on %(date)s. Nothing more will be charged.") % {
            "date": day(membership.current_period_end, language=language)
        }
    if membership.state == State.PAUSED and membership.cancel_at_period_end:
        return _("Paused until %(date)s, then your membership ends. Nothing more will be charged.") % {
            "date": day(membership.paused_until, language=language)
        }
    if membership.state == State.PAUSED:
        return _("Paused until %(date)s. Nothing is charged until then.") % {
            "date": day(membership.paused_until, language=language)
        }
    if membership.state == State.ENDED:
        return _("Ended on %(date)s.") % {"date": day(membership.ended_at, language=language)}
    return _("Active. Thank you for being a member.")


def next_payment(membership: Membership, *, language: str) -> str:
    """ "€10.00 on 14 January 2027", or nothing when no payment is coming."""
    if (
        membership.state not in {State.ACTIVE, State.PAUSED, State.PAST_DUE}
        or membership.cancel_at_period_end
        or not membership.current_period_end
    ):
        return ""
    return _("%(amount)s on %(date)s") % {
        "amount": money(membership.amount_minor, membership.currency, language=language),
        "date": notices.local_date(membership.current_period_end, language=language),
    }


def membership_summary(membership: Membership, *, language: str) -> MembershipSummary:
    card = f"{membership.card_brand.title()} •••• {membership.card_last4}" if membership.card_last4 else ""
    expiry = (
        notices.local_month(month=membership.card_exp_month, year=membership.card_exp_year, language=language)
        if membership.card_exp_month and membership.card_exp_year
        else ""
    )
    return MembershipSummary(
        membership=membership,
        amount=money(membership.amount_minor, membership.currency, language=language),
        per=amount_per(membership, language=language),
        state_words=state_in_words(membership, language=language),
        next_payment=next_payment(membership, language=language),
        card=card,
        card_expiry=expiry,
    )
