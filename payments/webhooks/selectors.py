"""Reads for the staff pages: the stored Stripe event log and the latest reconciliation report."""

from django.db.models import QuerySet

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
