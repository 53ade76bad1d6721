"""A membership's history (append-only events, the source of every MRR movement) and emails sent about it."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """A membership event is history: it is never edited or deleted."""


class MembershipEvent(models.Model):
    class Kind(models.TextChoices):
        STARTED = "started", _("Started")
        RENEWED = "renewed", _("Renewed")
        AMOUNT_CHANGED = "amount_changed", _("Amount changed")
        INTERVAL_CHANGED = "interval_changed", _("Frequency changed")
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        RECOVERED = "recovered", _("Recovered")
        PAUSED = "paused", _("Paused")
        RESUMED = "resumed", _("Resumed")
        CANCEL_REQUESTED = "cancel_requested", _("Cancellation requested")
        CANCEL_WITHDRAWN = "cancel_withdrawn", _("Cancellation withdrawn")
        ENDED = "ended", _("Ended")
        REACTIVATED = "reactivated", _("Reactivated")

    class Cause(models.TextChoices):
        STRIPE = "stripe", _("Stripe event")
        READER = "reader", _("The reader")
        STAFF = "staff", _("Staff")
        JOB = "job", _("Scheduled job")
        BACKFILL = "backfill", _("Backfilled from earlier data")

    membership = models.ForeignKey("membership.Membership", on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(
        help_text=_("When it happened (Stripe's time when Stripe reported it).")
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    cause = models.CharField(max_length=10, choices=Cause.choices)
    stripe_event_id = models.CharField(max_length=255, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    job = models.CharField(max_length=100, blank=True)
    monthly_amount_minor = models.BigIntegerField(help_text=_("Monthly-equivalent amount after the change."))
    currency = models.CharField(max_length=3)
    interval = models.CharField(max_length=10)
    previous_monthly_amount_minor = models.BigIntegerField(null=True, blank=True)
    previous_interval = models.CharField(max_length=10, blank=True)
    reason = models.CharField(max_length=50, blank=True)
    reason_text = models.CharField(max_length=500, blank=True)
    stripe_invoice_id = models.CharField(max_length=255, blank=True)
    dedupe_key = models.CharField(
        max_length=300,
        unique=True,
        help_text=_("The change this event records: the same change is kept once."),
    )

    class Meta:
        verbose_name = _("membership event")
        verbose_name_plural = _("membership events")
        indexes = [
            models.Index(fields=["membership", "occurred_at"], name="membership_event_history"),
            models.Index(fields=["kind", "occurred_at"], name="membership_event_by_kind"),
            # The events of a range, for the reports' drill-down.
            models.Index(fields=["occurred_at", "id"], name="membership_event_by_time"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(monthly_amount_minor__gte=0), name="membership_event_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.kind} at {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise AppendOnlyError("membership events are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("membership events are never deleted")


class MembershipNotice(models.Model):
    """One email about a membership, unique per membership and occasion, so it is sent once."""

    class Kind(models.TextChoices):
        PAYMENT_FAILED = "payment_failed", _("Renewal failed")
        GRACE_ENDING = "grace_ending", _("Grace period ending")
        CARD_EXPIRING = "card_expiring", _("Card expiring")
        RENEWAL_NOTICE = "renewal_notice", _("Annual renewal notice")

    membership = models.ForeignKey("membership.Membership", on_delete=models.PROTECT, related_name="notices")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occasion = models.CharField(
        max_length=255,
        help_text=_("What the email is about: the failed invoice, the card, the renewal date."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("membership email")
        verbose_name_plural = _("membership emails")
        constraints = [
            models.UniqueConstraint(fields=["membership", "kind", "occasion"], name="membership_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.kind} {self.occasion}"
