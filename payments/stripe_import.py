"""Backfill an existing Stripe account: customers, payments and refunds (memberships add subscriptions).

Every object is upserted by its Stripe id through the same services the webhooks use, so a second
run adds nothing. An ImportRun keeps the last object done per resource: an interrupted run resumes
where it stopped instead of starting over. Apps above payments add Stripe lists to walk through
the registry (`registry.register_import_resource`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.utils import timezone

from payments import gateway, recording, registry
from payments.ledger import refunds
from payments.models import Contributor, ImportRun, LedgerEntry

DONE = "done"

Progress = Callable[[Iterable, str], Iterable]


def _customer(customer: gateway.Customer) -> None:
    if customer.email or Contributor.objects.filter(stripe_customer_id=customer.id).exists():
        recording.contributor_for_customer(customer_id=customer.id, fallback_email=customer.email)


def _payment_intent(intent: gateway.PaymentIntent) -> None:
    recorded = LedgerEntry.objects.filter(
        kind=LedgerEntry.Kind.CHARGE, stripe_object_id=intent.latest_charge_id
    )
    if intent.status == "succeeded" and not (intent.latest_charge_id and recorded.exists()):
        recording.payment_intent_record(intent=gateway.retrieve_payment_intent(intent.id), trust_stripe=True)


def _refund(refund: gateway.Refund) -> None:
    recorded = LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REFUND, stripe_object_id=refund.id)
    if refund.status == "succeeded" and not recorded.exists():
        refunds.refund_record(refund=gateway.retrieve_refund(refund.id))


OWN_RESOURCES = (
    registry.ImportResource(name="customers", position=10, import_one=_customer),
    registry.ImportResource(name="payment_intents", position=30, import_one=_payment_intent),
    registry.ImportResource(name="refunds", position=40, import_one=_refund),
)


def import_resources() -> list[registry.ImportResource]:
    """Ours and the registered ones, in order (customers first, so payments find their contributor)."""
    return sorted([*OWN_RESOURCES, *registry.import_resources()], key=lambda resource: resource.position)


def resource_names() -> list[str]:
    return [resource.name for resource in import_resources()]


def import_one(kind: str, obj: object) -> None:
    """Upsert one Stripe object (idempotent by its id)."""
    next(resource for resource in import_resources() if resource.name == kind).import_one(obj)


def _no_progress(items: Iterable, _description: str) -> Iterable:
    return items


def stripe_account_import(*, progress: Progress = _no_progress, restart: bool = False) -> ImportRun:
    """Import everything, resuming the latest unfinished run unless `restart`."""
    run = None if restart else ImportRun.objects.filter(finished_at=None).order_by("-started_at").first()
    run = run or ImportRun.objects.create(cursors={}, counts={})
    for kind in resource_names():
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
