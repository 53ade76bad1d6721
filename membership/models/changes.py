"""Readers' and staff's changes: save offers before cancelling, used email links, replaced subscriptions."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CancelReason(models.TextChoices):
    TOO_EXPENSIVE = "too_expensive", _("It is too expensive")
    NOT_READING = "not_reading", _("I don't read enough")
    COVERAGE = "coverage", _("I'm unhappy with the coverage")
    GIVING_ELSEWHERE = "giving_elsewhere", _("I'm giving elsewhere")
    OTHER = "other", _("Other")


class SaveOffer(models.Model):
    """The offers shown to a member on the way to cancelling, and which one (if any) was taken.

    One row per attempt to cancel, so churn reports can count attempts, saves by offer, and
    cancellations that went ahead.
    """

    class Offer(models.TextChoices):
        PAUSE_1 = "pause_1", _("Pause for one month")
        PAUSE_2 = "pause_2", _("Pause for two months")
        PAUSE_3 = "pause_3", _("Pause for three months")
        LOWER_AMOUNT = "lower_amount", _("Give a lower amount")
        SWITCH_ANNUAL = "switch_annual", _("Switch to annual")

    class Outcome(models.TextChoices):
        OPEN = "open", _("Still deciding")
        SAVED = "saved", _("Took an offer")
        CANCELED = "canceled", _("Cancelled anyway")

    membership = models.ForeignKey(
        "membership.Membership", on_delete=models.PROTECT, related_name="save_offers"
    )
    offers_shown = models.JSONField(default=list, help_text=_("Offer codes shown, in order."))
    offer_taken = models.CharField(max_length=20, choices=Offer.choices, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.OPEN)
    reason = models.CharField(max_length=20, choices=CancelReason.choices, blank=True)
    reason_text = models.CharField(max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shown_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("save offer")
        verbose_name_plural = _("save offers")
        indexes = [models.Index(fields=["outcome", "shown_at"], name="save_offer_outcome")]

    def __str__(self) -> str:
        return f"{self.membership_id} {self.outcome} {self.offer_taken}"


class UsedLink(models.Model):
    """A one-click email link that did what it offers: the same link never acts twice."""

    token_digest = models.CharField(max_length=64, unique=True)
    membership = models.ForeignKey("membership.Membership", on_delete=models.CASCADE, related_name="+")
    action = models.CharField(max_length=20)
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("used email link")
        verbose_name_plural = _("used email links")

    def __str__(self) -> str:
        return f"{self.membership_id} {self.action} at {self.used_at:%Y-%m-%d %H:%M}"


class ReplacedSubscription(models.Model):
    """A Stripe subscription a membership moved off (a change of frequency starts a new one).

    Its late events and invoices belong to the membership that replaced it: they never make a new one.
    """

    stripe_subscription_id = models.CharField(max_length=255, unique=True)
    membership = models.ForeignKey(
        "membership.Membership", on_delete=models.PROTECT, related_name="replaced_subscriptions"
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("replaced subscription")
        verbose_name_plural = _("replaced subscriptions")

    def __str__(self) -> str:
        return self.stripe_subscription_id
