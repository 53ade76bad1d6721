"""Memberships: a contributor's recurring commitment, mirrored from a Stripe subscription."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models import CURRENCY_CODE_CHECK, Attribution


class Membership(Attribution):
    class Status(models.TextChoices):
        INCOMPLETE = "incomplete", _("Incomplete")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELED = "canceled", _("Canceled")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("Expired before starting")
        UNPAID = "unpaid", _("Unpaid")

    class Interval(models.TextChoices):
        MONTH = "month", _("Monthly")
        YEAR = "year", _("Annual")

    contributor = models.ForeignKey(
        "payments.Contributor", on_delete=models.PROTECT, related_name="memberships"
    )
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_plan_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INCOMPLETE)
    interval = models.CharField(max_length=10, choices=Interval.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    stripe_synced_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("Stripe time of the newest event applied, so a late event never wins."),
    )
    welcome_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    welcome_claimed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When a worker took the welcome to send it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="membership_amount_positive"),
            models.CheckConstraint(condition=CURRENCY_CODE_CHECK, name="membership_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.contributor} {self.amount_minor} {self.currency}/{self.interval} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in {self.Status.ACTIVE, self.Status.PAST_DUE}
