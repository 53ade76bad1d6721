"""Reads for the staff pages (the stored Stripe event log, the latest reconciliation report) and for
operations (the backlog of events not processed yet)."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min, Q, QuerySet

from payments.models import ReconciliationReport, WebhookEvent


def webhook_events_filtered(*, event_type: str = "", status: str = "", object_id: str = "") -> QuerySet:
    """Newest first (by id, the order they were stored); `object_id` matches the object or the event id."""
    events = WebhookEvent.objects.defer("payload").order_by("-id")
    if event_type:
        events = events.filter(type=event_type)
    if status:
        events = events.filter(status=status)
    if object_id:
        events = events.filter(object_id=object_id) | events.filter(stripe_event_id=object_id)
    return events


def webhook_event_types() -> list[str]:
    return list(WebhookEvent.objects.order_by("type").values_list("type", flat=True).distinct())


def latest_reconciliation_report() -> ReconciliationReport | None:
    return ReconciliationReport.objects.order_by("-started_at", "-id").first()


@dataclass(frozen=True)
class WebhookBacklog:
    unprocessed: int
    oldest_unprocessed_received_at: datetime | None
    failed: int


def webhook_backlog() -> WebhookBacklog:
    """Events stored but not processed yet (received, or a worker holds them), the oldest of them, and
    the failed ones: one aggregate over the partial index of unsettled events, cheap on every scrape."""
    status = WebhookEvent.Status
    waiting = Q(status__in=[status.RECEIVED, status.PROCESSING])
    unsettled = WebhookEvent.objects.filter(status__in=[status.RECEIVED, status.PROCESSING, status.FAILED])
    row = unsettled.aggregate(
        unprocessed=Count("id", filter=waiting),
        oldest=Min("received_at", filter=waiting),
        failed=Count("id", filter=Q(status=status.FAILED)),
    )
    return WebhookBacklog(
        unprocessed=row["unprocessed"], oldest_unprocessed_received_at=row["oldest"], failed=row["failed"]
    )
