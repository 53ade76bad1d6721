"""Reconciliation: make the ledger agree with Stripe for a window, and report what still differs.

Missing events are stored and run through the same pipeline as delivered ones; payments and
refunds Stripe has but the ledger lacks are recorded; then Stripe's sums per currency are compared
with the ledger's. Every step is idempotent, so a second run changes nothing but adds its report.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db.models import Count, Sum
from django.utils import timezone

from payments import gateway, recording, registry
from payments.ledger import payouts, refunds
from payments.models import LedgerEntry, Payout, ReconciliationReport, WebhookEvent
from payments.webhooks import processing

logger = logging.getLogger(__name__)


def _events(*, since: int, report: ReconciliationReport) -> None:
    """Store every event Stripe has for the window that we lack, then process what is unprocessed."""
    events = sorted(gateway.list_objects("events", created_gte=since), key=lambda event: event.created)
    report.events_seen = len(events)
    known = set(
        WebhookEvent.objects.filter(stripe_event_id__in=[e.id for e in events]).values_list(
            "stripe_event_id", flat=True
        )
    )
    for event in events:
        if event.id not in known:
            processing.webhook_event_store(event=event)
            report.events_stored += 1
    waiting = WebhookEvent.objects.filter(
        stripe_event_id__in=[e.id for e in events], status=WebhookEvent.Status.RECEIVED
    ).order_by("stripe_created_at", "id")
    for stripe_event_id in waiting.values_list("stripe_event_id", flat=True):
        # A failure is recorded in the event's history; the sweep or a later run retries it.
        outcome = processing.webhook_event_process(
            stripe_event_id=stripe_event_id, final_attempt=False, trigger="reconcile", reraise=False
        )
        if outcome in {processing.Outcome.RETRYING, processing.Outcome.FAILED}:
            logger.warning("Reconciliation could not process %s yet (%s)", stripe_event_id, outcome)
        else:
            report.events_processed += 1


def _charge_recorded(charge_id: str | None) -> bool:
    return (
        bool(charge_id)
        and LedgerEntry.objects.filter(kind=LedgerEntry.Kind.CHARGE, stripe_object_id=charge_id).exists()
    )


def _payments(*, since: int, totals: dict, report: ReconciliationReport) -> None:
    """Every succeeded payment of the window has its charge in the ledger; sums Stripe's side.

    A payment of an invoice that the invoice recorder declines (another product's subscription on a
    shared account) is not ours: it is neither recorded nor counted on Stripe's side.
    """
    for listed in gateway.list_objects("payment_intents", created_gte=since):
        if listed.status != "succeeded":
            continue
        if not _charge_recorded(listed.latest_charge_id):
            try:
                recorded = recording.payment_intent_record(intent=gateway.retrieve_payment_intent(listed.id))
            except recording.NotYetKnownError:
                logger.info(
                    "Payment %s is too fresh to record from Stripe data; the next run will", listed.id
                )
            else:
                if recorded is None and listed.invoice_id:
                    continue
                report.payments_repaired += 1
        totals[("charges", listed.currency)]["stripe"] += listed.amount
        totals[("charges", listed.currency)]["stripe_count"] += 1


def _refunds(*, since: int, totals: dict, report: ReconciliationReport) -> None:
    for refund in gateway.list_objects("refunds", created_gte=since):
        if refund.status != "succeeded":
            continue
        totals[("refunds", refund.currency)]["stripe"] -= refund.amount
        totals[("refunds", refund.currency)]["stripe_count"] += 1
        if not LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND, stripe_object_id=refund.id).exists():
            refunds.refund_record(refund=gateway.retrieve_refund(refund.id))
            report.payments_repaired += 1


def _payouts(*, since: int) -> int:
    """Paid payouts we never stored (their payout.paid was lost), with the entries they settled."""
    repaired = 0
    for payout in gateway.list_objects("payouts", created_gte=since):
        if payout.status == "paid" and not Payout.objects.filter(stripe_payout_id=payout.id).exists():
            payouts.payout_record(payout=payout)
            repaired += 1
    return repaired


def _ledger_totals(*, since: datetime, totals: dict) -> None:
    kinds: dict[str, str] = {LedgerEntry.Kind.CHARGE: "charges", LedgerEntry.Kind.REFUND: "refunds"}
    rows = (
        LedgerEntry.objects.filter(kind__in=kinds, occurred_at__gte=since)
        .values("kind", "currency")
        .annotate(total=Sum("amount_minor"), count=Count("id"))
    )
    for row in rows:
        key = (kinds[row["kind"]], row["currency"])
        totals[key]["ledger"] += row["total"]
        totals[key]["ledger_count"] += row["count"]


def stripe_reconcile(*, since: datetime) -> ReconciliationReport:
    """Repair what is missing since `since`, then store and return the report of what still differs."""
    report = ReconciliationReport.objects.create(since=since)
    start = int(since.timestamp())
    totals: dict = defaultdict(lambda: {"stripe": 0, "ledger": 0, "stripe_count": 0, "ledger_count": 0})
    _events(since=start, report=report)
    _payments(since=start, totals=totals, report=report)
    _refunds(since=start, totals=totals, report=report)
    report.payments_repaired += _payouts(since=start)
    for step in registry.reconcile_steps():  # e.g. memberships against their subscriptions
        report.payments_repaired += step()
    _ledger_totals(since=since, totals=totals)
    report.totals = {f"{name} {currency}": values for (name, currency), values in sorted(totals.items())}
    report.differences = {
        key: values
        for key, values in report.totals.items()
        if values["stripe"] != values["ledger"] or values["stripe_count"] != values["ledger_count"]
    }
    failed = WebhookEvent.objects.filter(
        status=WebhookEvent.Status.FAILED, stripe_created_at__gte=since
    ).count()
    if failed:
        report.differences["failed events"] = {"stripe": 0, "ledger": failed}
    report.finished_at = timezone.now()
    report.save()
    return report


def default_since() -> datetime:
    return timezone.now() - timedelta(days=settings.RECONCILE_WINDOW_DAYS)


def parse_since(value: str) -> datetime:
    """A date (YYYY-MM-DD) or ISO datetime, read as UTC when it carries no zone."""
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
