"""Lifecycle states and history for the memberships that existed before either did.

The same mapping and dedupe keys as membership/lifecycle.py, written out here because a migration
must not import code that later changes: `started` (at its start), a `renewed` per later paid
period, `payment_failed` for one past due now, `cancel_requested` for one canceling, `ended` for
one canceled. Caused by "backfill"; the keys match the live ones, so a later webhook adds nothing twice.
"""

from django.db import migrations

ENDED = {"canceled", "incomplete_expired"}
PAST_DUE = {"past_due", "unpaid"}


def _state(status: str, cancel_at_period_end: bool) -> str:
    if status in ENDED:
        return "ended"
    if status == "incomplete":
        return "pending"
    if status in PAST_DUE:
        return "past_due"
    if status == "paused":
        return "paused"
    return "canceling" if cancel_at_period_end else "active"


def _monthly(amount_minor: int, interval: str) -> int:
    return amount_minor // 12 if interval == "year" else amount_minor


def backfill(apps, schema_editor):
    Membership = apps.get_model("membership", "Membership")
    MembershipEvent = apps.get_model("membership", "MembershipEvent")
    Contribution = apps.get_model("payments", "Contribution")
    for membership in Membership.objects.iterator():
        membership.state = _state(membership.status, membership.cancel_at_period_end)
        paid = list(
            Contribution.objects.filter(membership_id=membership.pk, succeeded_at__isnull=False).order_by(
                "succeeded_at", "pk"
            )
        )
        started_at = membership.started_at or (paid[0].succeeded_at if paid else None)
        if membership.state == "past_due":
            membership.past_due_since = membership.updated_at
        if membership.state == "ended":
            membership.ended_at = membership.canceled_at or membership.updated_at
        membership.save(update_fields=["state", "past_due_since", "ended_at"])
        if started_at is None or membership.state == "pending":
            continue  # never paid: no history
        common = {
            "membership_id": membership.pk,
            "cause": "backfill",
            "monthly_amount_minor": _monthly(membership.amount_minor, membership.interval),
            "currency": membership.currency,
            "interval": membership.interval,
        }
        events = [MembershipEvent(kind="started", occurred_at=started_at, dedupe_key=f"{membership.pk}:start", **common)]
        for renewal in paid[1:]:
            key = renewal.stripe_invoice_id or f"contribution-{renewal.pk}"
            events.append(
                MembershipEvent(
                    kind="renewed",
                    occurred_at=renewal.succeeded_at,
                    dedupe_key=f"{membership.pk}:renewed:{key}",
                    stripe_invoice_id=renewal.stripe_invoice_id or "",
                    **common,
                )
            )
        later = {
            "past_due": ("payment_failed", "failed:backfill"),
            "canceling": ("cancel_requested", "cancel:backfill"),
            "ended": ("ended", "end"),
        }.get(membership.state)
        if later:
            kind, key = later
            events.append(
                MembershipEvent(
                    kind=kind,
                    occurred_at=membership.ended_at or membership.updated_at,
                    dedupe_key=f"{membership.pk}:{key}",
                    **common,
                )
            )
        MembershipEvent.objects.bulk_create(events, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [
        ("membership", "0002_tiers_lifecycle_history"),
        ("payments", "0004_refund_notice"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
