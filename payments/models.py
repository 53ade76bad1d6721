"""Contributors, contributions, the append-only ledger and the stored Stripe events."""

import json
import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.money import InvalidCurrency, normalise_currency

CURRENCY_CODE_CHECK = Q(currency__regex=r"^[A-Z]{3}$")


class Frequency(models.TextChoices):
    ONE_OFF = "one_off", _("One-off")
    MONTHLY = "monthly", _("Monthly")
    ANNUAL = "annual", _("Annual")


class Attribution(models.Model):
    """What brought the reader to give: kept on every contribution and ledger entry for reports."""

    campaign = models.SlugField(_("campaign"), max_length=100, blank=True, db_index=True)
    source = models.CharField(_("source"), max_length=20, blank=True)
    ref = models.CharField(_("referring article"), max_length=500, blank=True)
    utm_source = models.CharField(max_length=100, blank=True)
    utm_medium = models.CharField(max_length=100, blank=True)
    utm_campaign = models.CharField(max_length=100, blank=True)
    utm_term = models.CharField(max_length=100, blank=True)
    utm_content = models.CharField(max_length=100, blank=True)

    class Meta:
        abstract = True

    ATTRIBUTION_FIELDS = (
        "campaign",
        "source",
        "ref",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "utm_term",
        "utm_content",
    )

    def attribution(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in self.ATTRIBUTION_FIELDS}


class Contributor(models.Model):
    """Anyone who gave, identified by email; linked to a reader account once one exists."""

    email = models.EmailField(_("email"), unique=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reader account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributors",
    )
    stripe_customer_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self) -> str:
        return self.email


class Contribution(Attribution):
    """One gift, or one paid period of a membership. Recorded before Stripe is called."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        REQUIRES_ACTION = "requires_action", _("Requires authentication")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        REFUNDED = "refunded", _("Refunded")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        DISPUTED = "disputed", _("Disputed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    contributor = models.ForeignKey(Contributor, on_delete=models.PROTECT, related_name="contributions")
    membership = models.ForeignKey(
        "membership.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contributions",
    )
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    fee_covered_minor = models.BigIntegerField(_("processing fee covered (minor units)"), default=0)
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    amount_refunded_minor = models.BigIntegerField(default=0)

    stripe_payment_intent_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_charge_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_payment_method_id = models.CharField(max_length=255, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    failure_code = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=500, blank=True)

    idempotency_key = models.CharField(max_length=255, unique=True, null=True, blank=True)
    session_key = models.CharField(max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contributions",
    )
    dedication = models.CharField(_("dedication"), max_length=200, blank=True)
    anonymous = models.BooleanField(_("keep my gift anonymous"), default=False)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    succeeded_at = models.DateTimeField(null=True, blank=True, db_index=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("contribution")
        verbose_name_plural = _("contributions")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="contribution_amount_positive"),
            models.CheckConstraint(
                condition=Q(fee_covered_minor__gte=0), name="contribution_fee_not_negative"
            ),
            models.CheckConstraint(condition=CURRENCY_CODE_CHECK, name="contribution_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.amount_minor} {self.currency} ({self.status})"


class AmountPreset(models.Model):
    """An amount offered on the checkout page for one currency and frequency, set by staff."""

    currency = models.CharField(_("currency"), max_length=3)
    frequency = models.CharField(_("frequency"), max_length=10, choices=Frequency.choices)
    amount_minor = models.BigIntegerField(_("amount (minor units)"))
    is_default = models.BooleanField(_("selected by default"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("amount preset")
        verbose_name_plural = _("amount presets")
        ordering = ["currency", "frequency", "position", "amount_minor"]
        constraints = [
            models.UniqueConstraint(
                fields=["currency", "frequency", "amount_minor"], name="amount_preset_unique_amount"
            ),
            models.UniqueConstraint(
                fields=["currency", "frequency"],
                condition=Q(is_default=True),
                name="amount_preset_one_default",
            ),
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="amount_preset_amount_positive"),
            models.CheckConstraint(condition=CURRENCY_CODE_CHECK, name="amount_preset_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.get_frequency_display()} {self.amount_minor} {self.currency}"

    def clean(self) -> None:
        """Staff may type `eur`: store `EUR`, and refuse what is not an ISO 4217 code."""
        try:
            self.currency = normalise_currency(self.currency)
        except InvalidCurrency:
            raise ValidationError({"currency": _("Enter an ISO 4217 currency code, such as EUR.")}) from None


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


class WebhookEvent(models.Model):
    """A Stripe event exactly as received; unique on Stripe's id so duplicates are stored once."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("Processing")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        FAILED = "failed", _("Failed")

    stripe_event_id = models.CharField(max_length=255)
    type = models.CharField(max_length=100)
    livemode = models.BooleanField(default=False)
    api_version = models.CharField(max_length=50, blank=True)
    object_id = models.CharField(max_length=255, blank=True)
    stripe_created_at = models.DateTimeField(null=True, blank=True)
    payload = models.TextField(help_text=_("The event's JSON exactly as Stripe sent it."))
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RECEIVED)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(
        null=True, blank=True, help_text=_("When a worker last took the event; a stale claim is taken over.")
    )

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        # Every index is paid for by each webhook's INSERT (the hot path), so only what a query uses:
        # exact lookups (no LIKE indexes), newest first by id, and the few unsettled rows the sweep reads.
        constraints = [
            models.UniqueConstraint(fields=["stripe_event_id"], name="webhookevent_unique_stripe_event_id"),
        ]
        indexes = [
            models.Index(fields=["type", "id"], name="webhookevent_type_id"),
            models.Index(fields=["object_id"], name="webhookevent_object_id"),
            models.Index(
                fields=["status", "received_at"],
                name="webhookevent_unsettled",
                condition=models.Q(status__in=["received", "processing", "failed"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.stripe_event_id} ({self.status})"

    @property
    def payload_data(self) -> dict:
        """The stored body parsed. It is kept as text: storing it is the webhook's hot path, and text
        (compressed with lz4 on PostgreSQL) costs the database less than parsing it into jsonb."""
        return json.loads(self.payload)


class WebhookEventAttempt(models.Model):
    """One run of an event's handler: the processing history staff read when an event fails."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        PROCESSED = "processed", _("Processed")
        IGNORED = "ignored", _("Ignored")
        RETRYING = "retrying", _("Failed, will retry")
        FAILED = "failed", _("Failed")

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="attempts_log")
    trigger = models.CharField(max_length=20, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.RUNNING)
    note = models.CharField(max_length=255, blank=True)
    error = models.TextField(blank=True)
    traceback = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Stripe event attempt")
        verbose_name_plural = _("Stripe event attempts")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.event_id} {self.outcome} at {self.started_at:%Y-%m-%d %H:%M:%S}"


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


class ImportRun(models.Model):
    """A resumable import_stripe run: the cursor per Stripe resource lets an interrupted run continue."""

    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    cursors = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("Stripe import run")
        verbose_name_plural = _("Stripe import runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        state = "finished" if self.finished_at else "unfinished"
        return f"Import {self.started_at:%Y-%m-%d %H:%M} ({state})"
