"""Where the apps above payments plug in, so that payments calls them without importing them.

Payments owns intake, dispatch, contributions and the ledger; memberships live in an app above it.
When payments meets something only that app understands (a subscription event, a payment that
belongs to an invoice, a membership to greet, subscriptions to reconcile or import), it looks here
for whoever registered, in its `AppConfig.ready()`. The pattern is dj-stripe's `webhooks.handler`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from payments import gateway
from payments.models import Contribution, RefundNotice

EventHandler = Callable[[gateway.Event], str]
ContributionListener = Callable[[Contribution], None]
RefundListener = Callable[[RefundNotice], None]
ReconcileStep = Callable[[], int]
ReceiptLinks = Callable[[Contribution], dict[str, str]]


class InvoicePaymentRecorder(Protocol):
    def __call__(
        self, *, invoice: gateway.Invoice, intent: gateway.PaymentIntent | None, trust_stripe: bool
    ) -> Contribution | None: ...


@dataclass(frozen=True)
class ImportResource:
    """One Stripe list that `import_stripe` walks; `position` orders the lists (lower first)."""

    name: str
    position: int
    import_one: Callable[[Any], None]


_event_handlers: dict[str, EventHandler] = {}
_invoice_payment_recorders: list[InvoicePaymentRecorder] = []
_contribution_succeeded: list[ContributionListener] = []
_refund_recorded: list[RefundListener] = []
_reconcile_steps: list[ReconcileStep] = []
_import_resources: dict[str, ImportResource] = {}
_receipt_links: list[ReceiptLinks] = []


class EventIgnoredError(Exception):
    """Raised by a handler when the event is valid but has nothing for us (e.g. an unknown object)."""


class AlreadyRegisteredError(Exception):
    """Two handlers for one event type: a wiring mistake, refused at start-up."""


def register_event_handler(handler: EventHandler, *event_types: str) -> None:
    """`handler` processes these Stripe event types; each type has one owner."""
    for event_type in event_types:
        owner = _event_handlers.get(event_type)
        if owner is not None and owner is not handler:
            raise AlreadyRegisteredError(f"{event_type} is already handled by {owner.__qualname__}")
        _event_handlers[event_type] = handler


def handler_for(event_type: str) -> EventHandler | None:
    return _event_handlers.get(event_type)


def register_invoice_payment_recorder(recorder: InvoicePaymentRecorder) -> None:
    """The app that owns invoices records a payment that belongs to one (a membership's period)."""
    if recorder not in _invoice_payment_recorders:
        _invoice_payment_recorders[:] = [recorder]


def invoice_payment_recorder() -> InvoicePaymentRecorder | None:
    return _invoice_payment_recorders[0] if _invoice_payment_recorders else None


def register_contribution_succeeded(listener: ContributionListener) -> None:
    """Called inside the transaction that saw a contribution succeed: queue work with `on_commit`."""
    if listener not in _contribution_succeeded:
        _contribution_succeeded.append(listener)


def contribution_succeeded_listeners() -> Iterable[ContributionListener]:
    return tuple(_contribution_succeeded)


def register_refund_recorded(listener: RefundListener) -> None:
    """Called inside the transaction that first recorded a refund of a contribution (its notice row)."""
    if listener not in _refund_recorded:
        _refund_recorded.append(listener)


def refund_recorded_listeners() -> Iterable[RefundListener]:
    return tuple(_refund_recorded)


def register_reconcile_step(step: ReconcileStep) -> None:
    """A step reconciliation runs after the ledger's own; it returns how many objects it repaired."""
    if step not in _reconcile_steps:
        _reconcile_steps.append(step)


def reconcile_steps() -> Iterable[ReconcileStep]:
    return tuple(_reconcile_steps)


def register_import_resource(resource: ImportResource) -> None:
    _import_resources[resource.name] = resource


def import_resources() -> list[ImportResource]:
    return sorted(_import_resources.values(), key=lambda resource: resource.position)


def register_receipt_links(provider: ReceiptLinks) -> None:
    """Links a receipt email carries besides its own (a membership's one-click links)."""
    if provider not in _receipt_links:
        _receipt_links.append(provider)


def receipt_links(contribution: Contribution) -> dict[str, str]:
    links: dict[str, str] = {}
    for provider in _receipt_links:
        links.update(provider(contribution))
    return links
