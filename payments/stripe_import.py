"""Backfill an existing Stripe account: customers, subscriptions, payments and refunds.

Every object is upserted by its Stripe id through the same services the webhooks use, so a second
run adds nothing. An ImportRun keeps the last object done per resource: an interrupted run resumes
where it stopped instead of starting over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import timezone

from membership.models import Membership
from membership.services import membership_apply_subscription
from payments import gateway, recording, reversals
from payments.models import Contributor, ImportRun, LedgerEntry

RESOURCES = ("customers", "subscriptions", "payment_intents", "refunds")
DONE = "done"

Progress = Callable[[Iterable, str], Iterable]


def _customer(customer: gateway.Customer) -> None:
    if customer.email or Contributor.objects.filter(stripe_customer_id=customer.id).exists():
        recording.contributor_for_customer(customer_id=customer.id, fallback_email=customer.email)


def _subscription(subscription: gateway.Subscription) -> None:
    membership = Membership.objects.filter(stripe_subscription_id=subscription.id).first()
    if membership is None:
        recording.membership_from_stripe(subscription_id=subscription.id)
    elif membership.status != subscription.status:
        membership_apply_subscription(
            subscription=subscription, observed_at=timezone.now(), membership=membership
        )


def _payment_intent(intent: gateway.PaymentIntent) -> None:
    recorded = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.CHARGE, stripe_object_id=intent.latest_charge_id
    )
    if intent.status == "succeeded" and not (intent.latest_charge_id and recorded.exists()):
        recording.payment_intent_record(intent=gateway.retrieve_payment_intent(intent.id), trust_stripe=True)


def _refund(refund: gateway.Refund) -> None:
    recorded = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND, stripe_object_id=refund.id)
    if refund.status == "succeeded" and not recorded.exists():
        reversals.refund_record(refund=gateway.retrieve_refund(refund.id))


IMPORTERS = {
    "customers": _customer,
    "subscriptions": _subscription,
    "payment_intents": _payment_intent,
    "refunds": _refund,
}


def import_one(kind: str, obj) -> None:
    """Upsert one Stripe object (idempotent by its id)."""
    IMPORTERS[kind](obj)


def _no_progress(items: Iterable, _description: str) -> Iterable:
    return items


def import_stripe(*, progress: Progress = _no_progress, restart: bool = False) -> ImportRun:
    """Import everything, resuming the latest unfinished run unless `restart`."""
    run = None if restart else ImportRun.objects.filter(finished_at=None).order_by("-started_at").first()
    run = run or ImportRun.objects.create(cursors={}, counts={})
    for kind in RESOURCES:
        cursor = run.cursors.get(kind)
        if cursor == DONE:
            continue
        for obj in progress(gateway.list_objects(kind, starting_after=cursor), kind):
            import_one(kind, obj)
            run.cursors[kind] = obj.id
            run.counts[kind] = run.counts.get(kind, 0) + 1
            run.save(update_fields=["cursors", "counts"])
        run.cursors[kind] = DONE
        run.save(update_fields=["cursors"])
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run
