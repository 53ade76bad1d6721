"""The base rows behind a figure, so finance can check it by hand: ledger entries and membership
events of a range, filtered like the figure, paginated (and streamed whole for CSV).

Donors' names and emails are read only for a viewer who may see them (the finance group).
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from membership.models import MembershipEvent
from payments.models import Frequency, LedgerEntry
from reporting.models import DailyLedgerRollup
from reporting.periods import Period, day_bounds, newsroom_zone

LEDGER_PAGE_SIZE = 50
LEDGER_FILTERS = {
    "kind": {choice for choice, _label in LedgerEntry.Kind.choices},
    "frequency": {choice for choice, _label in Frequency.choices},
}
EVENT_KINDS = {choice for choice, _label in MembershipEvent.Kind.choices}


class DrilldownError(ValueError):
    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Page:
    number: int
    pages: int
    count: int
    rows: list[dict]


def _ledger_queryset(*, period: Period, filters: dict) -> QuerySet:
    since, before = day_bounds(period.start, period.end)
    entries = LedgerEntry.objects.filter(occurred_at__gte=since, occurred_at__lt=before)
    for name, allowed in LEDGER_FILTERS.items():
        value = filters.get(name) or ""
        if value and value not in allowed:
            raise DrilldownError(str(_("Choose one of the values offered.")), field=name)
    if filters.get("kind"):
        entries = entries.filter(kind=filters["kind"])
    if filters.get("frequency"):
        entries = entries.filter(contribution__frequency=filters["frequency"])
    if filters.get("currency"):
        entries = entries.filter(currency=filters["currency"].upper())
    if filters.get("campaign"):
        entries = entries.filter(campaign=filters["campaign"])
    return entries.order_by("occurred_at", "id")


def _ledger_row(entry: LedgerEntry, *, personal: bool) -> dict:
    contribution = entry.contribution
    row = {
        "occurred_at": entry.occurred_at.astimezone(newsroom_zone()).isoformat(),
        "kind": entry.kind,
        "amount_minor": entry.amount_minor,
        "currency": entry.currency,
        "settlement_amount_minor": entry.settlement_amount_minor,
        "settlement_currency": entry.settlement_currency,
        "frequency": contribution.frequency if contribution else "",
        "campaign": entry.campaign,
        "contribution": str(contribution.public_id) if contribution else None,
        "stripe_object_id": entry.stripe_object_id,
    }
    if personal:
        contributor = entry.contributor
        row["donor_name"] = contributor.name if contributor else ""
        row["donor_email"] = contributor.email if contributor else ""
    return row


def _related(entries: QuerySet, *, personal: bool) -> QuerySet:
    return entries.select_related("contribution", *(["contributor"] if personal else []))


def _ledger_count(*, period: Period, filters: dict, entries: QuerySet) -> int:
    """How many entries match: from the daily rollup (the same rows, counted as they were written)
    unless a campaign is asked for, which only the entries themselves carry; on a million-row
    ledger a month's COUNT(*) takes longer than the rest of the page."""
    if filters.get("campaign"):
        return entries.count()
    days = DailyLedgerRollup.objects.filter(day__range=(period.start, period.end))
    for name in ("kind", "frequency", "currency"):
        if filters.get(name):
            days = days.filter(**{name: filters[name].upper() if name == "currency" else filters[name]})
    return days.aggregate(entries=Sum("entries"))["entries"] or 0


def ledger_rows(*, period: Period, filters: dict, page: int, personal: bool) -> Page:
    entries = _ledger_queryset(period=period, filters=filters)
    count = _ledger_count(period=period, filters=filters, entries=entries)
    pages = max(1, -(-count // LEDGER_PAGE_SIZE))
    if page < 1 or page > pages:
        raise DrilldownError(str(_("There is no such page.")), field="page")
    offset = (page - 1) * LEDGER_PAGE_SIZE
    rows = _related(entries, personal=personal)[offset : offset + LEDGER_PAGE_SIZE]
    return Page(page, pages, count, [_ledger_row(entry, personal=personal) for entry in rows])


def ledger_rows_all(*, period: Period, filters: dict, personal: bool) -> Iterator[dict]:
    entries = _related(_ledger_queryset(period=period, filters=filters), personal=personal)
    for entry in entries.iterator(chunk_size=2000):
        yield _ledger_row(entry, personal=personal)


def _events_queryset(*, period: Period, filters: dict) -> QuerySet:
    since, before = day_bounds(period.start, period.end)
    events = MembershipEvent.objects.filter(occurred_at__gte=since, occurred_at__lt=before)
    kind = filters.get("kind") or ""
    if kind and kind not in EVENT_KINDS:
        raise DrilldownError(str(_("Choose one of the values offered.")), field="kind")
    if kind:
        events = events.filter(kind=kind)
    if filters.get("currency"):
        events = events.filter(currency=filters["currency"].upper())
    return events.order_by("occurred_at", "id")


def _event_row(event: MembershipEvent, *, personal: bool) -> dict:
    row = {
        "occurred_at": event.occurred_at.astimezone(newsroom_zone()).isoformat(),
        "kind": event.kind,
        "membership": event.membership_id,
        "monthly_amount_minor": event.monthly_amount_minor,
        "previous_monthly_amount_minor": event.previous_monthly_amount_minor,
        "currency": event.currency,
        "interval": event.interval,
        "cause": event.cause,
        "reason": event.reason,
    }
    if personal:
        contributor = event.membership.contributor
        row["donor_name"] = contributor.name
        row["donor_email"] = contributor.email
    return row


def event_rows(*, period: Period, filters: dict, page: int, personal: bool) -> Page:
    events = _events_queryset(period=period, filters=filters)
    count = events.count()
    pages = max(1, -(-count // LEDGER_PAGE_SIZE))
    if page < 1 or page > pages:
        raise DrilldownError(str(_("There is no such page.")), field="page")
    offset = (page - 1) * LEDGER_PAGE_SIZE
    rows = events.select_related("membership__contributor") if personal else events
    rows = rows[offset : offset + LEDGER_PAGE_SIZE]
    return Page(page, pages, count, [_event_row(event, personal=personal) for event in rows])


def event_rows_all(*, period: Period, filters: dict, personal: bool) -> Iterator[dict]:
    events = _events_queryset(period=period, filters=filters)
    if personal:
        events = events.select_related("membership__contributor")
    for event in events.iterator(chunk_size=2000):
        yield _event_row(event, personal=personal)
