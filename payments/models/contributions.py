"""Contributors and their contributions (a gift, or one paid period of a membership), with attribution."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

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
    variant = models.CharField(
        _("banner variant"), max_length=100, blank=True, help_text=_("The banner message and variant shown.")
    )
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
        "variant",
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
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text=_(
            "The site's language at their last gift: their receipts and reminders are written in it."
        ),
    )
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
    receipt_claimed_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text=_("When a worker took the receipt to send it.")
    )

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
