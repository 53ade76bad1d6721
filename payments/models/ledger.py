"""The append-only ledger, refunds staff asked for, payouts and reconciliation reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models.contributions import CURRENCY_CODE_CHECK, Contribution, Contributor


class LedgerEntry(models.Model):
    """One money movement Stripe confirmed. Append-only: corrections are new entries."""

    class Kind(models.TextChoices):
        CHARGE = "charge", _("Charge")
        REFUND = "refund", _("Refund")
        DISPUTE = "dispute", _("Dispute")
        DISPUTE_REVERSAL = "dispute_reversal", _("Dispute won")
        FEE = "fee", _("Stripe fee")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    stripe_object_id = models.CharField(max_length=255)
    amount_minor = models.BigIntegerField(help_text=_("Signed: money in is positive, out negative."))
    currency = models.CharField(max_length=3)
    settlement_amount_minor = models.BigIntegerField(null=True, blank=True)
    settlement_currency = models.CharField(max_length=3, blank=True)
    exchange_rate = models.DecimalField(max_digits=20, decimal_places=10, null=True, blank=True)
    stripe_balance_transaction_id = models.CharField(max_length=255, blank=True, db_index=True)
    contribution = models.ForeignKey(
        Contribution, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    contributor = models.ForeignKey(
        Contributor, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries"
    )
    membership = models.ForeignKey(
        "membership.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_entries",
    )
    campaign = models.SlugField(max_length=100, blank=True, db_index=True)
    occurred_at = models.DateTimeField(db_index=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.UniqueConstraint(fields=["kind", "stripe_object_id"], name="ledger_unique_stripe_object"),
            models.CheckConstraint(condition=CURRENCY_CODE_CHECK, name="ledger_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.amount_minor} {self.currency} ({self.stripe_object_id})"


class RefundRequest(models.Model):
    """A refund staff asked for: its primary key makes the idempotency key sent to Stripe."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        PENDING = "pending", _("Pending at Stripe")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    contribution = models.ForeignKey(Contribution, on_delete=models.PROTECT, related_name="refund_requests")
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    currency = models.CharField(max_length=3)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    stripe_refund_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund request")
        verbose_name_plural = _("refund requests")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="refund_request_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_minor} {self.currency} for contribution {self.contribution_id} ({self.status})"

    @property
    def idempotency_key(self) -> str:
        return f"contribution:{self.contribution_id}:refund:{self.pk}"


class RefundNotice(models.Model):
    """The reader's email about one refund Stripe confirmed, made with its ledger entry and sent once.

    The stamps cannot live on the entry (the ledger is append-only: a trigger refuses UPDATE) nor on a
    RefundRequest (a refund made in Stripe's dashboard has none), so each refund entry gets one of these.
    """

    ledger_entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="refund_notice")
    claimed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When a worker took the email to send it.")
    )
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("refund notice")
        verbose_name_plural = _("refund notices")

    def __str__(self) -> str:
        return f"Refund notice for ledger entry {self.ledger_entry_id}"


class Payout(models.Model):
    """A Stripe payout to the bank; PayoutLine rows say which ledger entries it settled."""

    stripe_payout_id = models.CharField(max_length=255, unique=True)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=30)
    arrival_date = models.DateTimeField(null=True, blank=True)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("payout")
        verbose_name_plural = _("payouts")
        constraints = [models.CheckConstraint(condition=CURRENCY_CODE_CHECK, name="payout_currency_iso")]

    def __str__(self) -> str:
        return f"{self.stripe_payout_id} {self.amount_minor} {self.currency} ({self.status})"


class PayoutLine(models.Model):
    """One balance transaction a payout settled, linked to its ledger entry (the entry stays untouched)."""

    payout = models.ForeignKey(Payout, on_delete=models.CASCADE, related_name="lines")
    stripe_balance_transaction_id = models.CharField(max_length=255)
    type = models.CharField(max_length=30, blank=True)
    amount_minor = models.BigIntegerField()
    fee_minor = models.BigIntegerField(default=0)
    currency = models.CharField(max_length=3)
    ledger_entry = models.ForeignKey(
        LedgerEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="payout_lines"
    )

    class Meta:
        verbose_name = _("payout line")
        verbose_name_plural = _("payout lines")
        constraints = [
            models.UniqueConstraint(
                fields=["payout", "stripe_balance_transaction_id"], name="payout_line_unique_balance"
            )
        ]

    def __str__(self) -> str:
        return f"{self.payout_id}: {self.stripe_balance_transaction_id}"


class ReconciliationReport(models.Model):
    """The outcome of one reconcile_stripe run: what was repaired and what still differs."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    since = models.DateTimeField()
    events_seen = models.PositiveIntegerField(default=0)
    events_stored = models.PositiveIntegerField(default=0)
    events_processed = models.PositiveIntegerField(default=0)
    payments_repaired = models.PositiveIntegerField(default=0)
    differences = models.JSONField(default=dict, blank=True)
    totals = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("reconciliation report")
        verbose_name_plural = _("reconciliation reports")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Reconciliation {self.started_at:%Y-%m-%d %H:%M} ({len(self.differences)} differences)"

    @property
    def is_clean(self) -> bool:
        return not self.differences
