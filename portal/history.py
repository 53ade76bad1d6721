"""A reader's giving history, receipts and annual statements: what each shows, in the reader's language.

Only money Stripe took appears: an abandoned or unconfirmed checkout (pending, requires action) is no
gift. A statement counts each contribution in the calendar year it was paid (in the newsroom's time
zone), at what was given less what was refunded, per currency: sums never mix currencies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from membership import notices
from payments.models import Contribution, Frequency
from portal import presenters, selectors

Status = Contribution.Status
PAID_STATUSES = (Status.SUCCEEDED, Status.PARTIALLY_REFUNDED, Status.REFUNDED, Status.DISPUTED)
HISTORY_STATUSES = (*PAID_STATUSES, Status.FAILED)


@dataclass(frozen=True)
class HistoryRow:
    contribution: Contribution
    date: str
    kind: str
    amount: str
    refunded: str
    state: str
    campaign: str
    has_receipt: bool


@dataclass(frozen=True)
class ReceiptView:
    contribution: Contribution
    reference: str
    date: str
    kind: str
    name: str
    email: str
    amount: str
    fee_covered: str
    refunded: str
    net: str
    card: str
    campaign: str
    organisation: str
    site_name: str


@dataclass(frozen=True)
class StatementLine:
    date: str
    kind: str
    reference: str
    amount: str
    refunded: str
    net: str


@dataclass(frozen=True)
class StatementView:
    year: int
    currency: str
    name: str
    email: str
    lines: list[StatementLine]
    total_net_minor: int
    total_net: str
    count: int
    organisation: str
    site_name: str
    issued_on: str


@dataclass(frozen=True)
class StatementLink:
    year: int
    currency: str
    total: str
    count: int


def paid_at(contribution: Contribution) -> datetime:
    """When the money was taken: Stripe's success time, or when the row was made for an old import."""
    return timezone.localtime(contribution.succeeded_at or contribution.created_at)


def kind_in_words(contribution: Contribution) -> str:
    if contribution.frequency == Frequency.MONTHLY:
        return _("Monthly membership")
    if contribution.frequency == Frequency.ANNUAL:
        return _("Annual membership")
    return _("One-off gift")


def net_minor(contribution: Contribution) -> int:
    return max(contribution.amount_minor - contribution.amount_refunded_minor, 0)


def history_contributions(*, user: User) -> QuerySet[Contribution]:
    return selectors.reader_contributions(user=user).filter(status__in=HISTORY_STATUSES)


def history_rows(*, user: User, language: str) -> list[HistoryRow]:
    money = presenters.money
    rows = []
    for contribution in history_contributions(user=user):
        refunded = contribution.amount_refunded_minor
        rows.append(
            HistoryRow(
                contribution=contribution,
                date=notices.local_date(paid_at(contribution), language=language),
                kind=kind_in_words(contribution),
                amount=money(contribution.amount_minor, contribution.currency, language=language),
                refunded=money(refunded, contribution.currency, language=language) if refunded else "",
                state=str(contribution.get_status_display()),
                campaign=contribution.campaign,
                has_receipt=contribution.status in PAID_STATUSES,
            )
        )
    return rows


def paid_contribution_or_404(*, user: User, public_id: str) -> Contribution:
    """The reader's own paid contribution; anything else (another reader's, unpaid, malformed) is a 404."""
    contribution = selectors.reader_contribution_or_404(user=user, public_id=public_id)
    if contribution.status not in PAID_STATUSES:
        raise Http404
    return contribution


def receipt_view(*, contribution: Contribution, language: str) -> ReceiptView:
    money = presenters.money
    currency = contribution.currency
    refunded = contribution.amount_refunded_minor
    card = (
        f"{contribution.card_brand.title()} •••• {contribution.card_last4}" if contribution.card_last4 else ""
    )
    return ReceiptView(
        contribution=contribution,
        reference=str(contribution.public_id),
        date=notices.local_date(paid_at(contribution), language=language),
        kind=kind_in_words(contribution),
        name=contribution.contributor.name,
        email=contribution.contributor.email,
        amount=money(contribution.amount_minor, currency, language=language),
        fee_covered=money(contribution.fee_covered_minor, currency, language=language)
        if contribution.fee_covered_minor
        else "",
        refunded=money(refunded, currency, language=language) if refunded else "",
        net=money(net_minor(contribution), currency, language=language),
        card=card,
        campaign=contribution.campaign,
        organisation=settings.ORGANISATION_DETAILS,
        site_name=settings.SITE_NAME,
    )


def statement_links(*, user: User, language: str) -> list[StatementLink]:
    """One link per calendar year and currency the reader gave in, newest year first."""
    totals: dict[tuple[int, str], tuple[int, int]] = {}
    for contribution in selectors.reader_contributions(user=user).filter(status__in=PAID_STATUSES):
        key = (paid_at(contribution).year, contribution.currency)
        total, count = totals.get(key, (0, 0))
        totals[key] = (total + net_minor(contribution), count + 1)
    return [
        StatementLink(
            year=year,
            currency=currency,
            total=presenters.money(total, currency, language=language),
            count=count,
        )
        for (year, currency), (total, count) in sorted(
            totals.items(), key=lambda item: (-item[0][0], item[0][1])
        )
    ]


def statement_view(*, user: User, year: int, currency: str, language: str) -> StatementView:
    """The year's paid contributions in one currency; a year or currency with none is a 404."""
    contributions = [
        contribution
        for contribution in selectors.reader_contributions(user=user)
        .filter(status__in=PAID_STATUSES, currency=currency.upper())
        .order_by("succeeded_at", "created_at")
        if paid_at(contribution).year == year
    ]
    if not contributions:
        raise Http404
    money = presenters.money
    currency = contributions[0].currency
    lines = [
        StatementLine(
            date=notices.local_date(paid_at(contribution), language=language),
            kind=kind_in_words(contribution),
            reference=str(contribution.public_id)[:8],
            amount=money(contribution.amount_minor, currency, language=language),
            refunded=money(contribution.amount_refunded_minor, currency, language=language)
            if contribution.amount_refunded_minor
            else "",
            net=money(net_minor(contribution), currency, language=language),
        )
        for contribution in contributions
    ]
    total = sum(net_minor(contribution) for contribution in contributions)
    contributor = contributions[-1].contributor
    return StatementView(
        year=year,
        currency=currency,
        name=contributor.name,
        email=user.email or contributor.email,
        lines=lines,
        total_net_minor=total,
        total_net=money(total, currency, language=language),
        count=len(lines),
        organisation=settings.ORGANISATION_DETAILS,
        site_name=settings.SITE_NAME,
        issued_on=notices.local_date(timezone.localdate(), language=language),
    )
