"""The data of payments, by concern: contributions, the ledger (with payouts and reports), Stripe events."""

from payments.models.contributions import (
    CURRENCY_CODE_CHECK,
    Attribution,
    Contribution,
    Contributor,
    Frequency,
)
from payments.models.events import ImportRun, WebhookEvent, WebhookEventAttempt
from payments.models.ledger import (
    LedgerEntry,
    Payout,
    PayoutLine,
    ReconciliationReport,
    RefundNotice,
    RefundRequest,
)

__all__ = [
    "CURRENCY_CODE_CHECK",
    "Attribution",
    "Contribution",
    "Contributor",
    "Frequency",
    "ImportRun",
    "LedgerEntry",
    "Payout",
    "PayoutLine",
    "ReconciliationReport",
    "RefundNotice",
    "RefundRequest",
    "WebhookEvent",
    "WebhookEventAttempt",
]
