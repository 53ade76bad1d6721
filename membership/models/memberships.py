"""Memberships: a contributor's recurring commitment, mirrored from a Stripe subscription."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models import CURRENCY_CODE_CHECK, Attribution


def monthly_equivalent(amount_minor: int, interval: str) -> int:
    """The monthly-equivalent amount in minor units: annual / 12, rounded down to the minor unit.

    Rounded down so that nobody reaches a tier, or counts in MRR, by rounding (12,000 a year is
    1,000 a month; 11,999 a year is 999).
    """
    return amount_minor // 12 if interval == Membership.Interval.YEAR else amount_minor


class Membership(Attribution):
    class Status(models.TextChoices):
        """Stripe's subscription status, as Stripe last reported it."""

        INCOMPLETE = "incomplete", _("Incomplete")
        TRIALING = "trialing", _("Trialing")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        CANCELED = "canceled", _("Canceled")
        INCOMPLETE_EXPIRED = "incomplete_expired", _("Expired before starting")
        UNPAID = "unpaid", _("Unpaid")
        PAUSED = "paused", _("Paused")

    class State(models.TextChoices):
        """Our own lifecycle state (membership/lifecycle.py maps Stripe's status onto it)."""

        PENDING = "pending", _("Not started yet")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Past due")
        PAUSED = "paused", _("Paused")
        CANCELING = "canceling", _("Canceling at period end")
        ENDED = "ended", _("Ended")

    class Interval(models.TextChoices):
        MONTH = "month", _("Monthly")
        YEAR = "year", _("Annual")

    contributor = models.ForeignKey(
        "payments.Contributor", on_delete=models.PROTECT, related_name="memberships"
    )
    stripe_subscription_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    stripe_plan_id = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.INCOMPLETE)
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    tier = models.ForeignKey(
        "membership.Tier", null=True, blank=True, on_delete=models.SET_NULL, related_name="memberships"
    )
    interval = models.CharField(max_length=10, choices=Interval.choices)
    amount_minor = models.BigIntegerField()
    currency = models.CharField(max_length=3)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    past_due_since = models.DateTimeField(
        null=True, blank=True, help_text=_("When the renewal first failed; the grace period runs from here.")
    )
    paused_until = models.DateTimeField(null=True, blank=True)
    paused_from = models.DateTimeField(
        null=True, blank=True, help_text=_("The renewal date a pause pushed out (a resume brings it back).")
    )
    stripe_payment_method_id = models.CharField(max_length=255, blank=True)
    card_brand = models.CharField(max_length=20, blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_exp_month = models.PositiveSmallIntegerField(null=True, blank=True)
    card_exp_year = models.PositiveSmallIntegerField(null=True, blank=True)
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
        permissions = [("manage_membership", _("Can act on memberships for readers"))]
        constraints = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="membership_amount_positive"),
            models.CheckConstraint(condition=CURRENCY_CODE_CHECK, name="membership_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.contributor} {self.amount_minor} {self.currency}/{self.interval} ({self.state})"

    LIVE_STATES = (State.ACTIVE, State.PAST_DUE, State.CANCELING)

    @property
    def is_active(self) -> bool:
        """Whether the member has their benefits now (past due keeps them through the grace period)."""
        return self.state in self.LIVE_STATES

    @property
    def monthly_amount_minor(self) -> int:
        return monthly_equivalent(self.amount_minor, self.interval)
