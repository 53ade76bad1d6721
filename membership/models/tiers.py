"""Tiers and their benefits: staff set a minimum monthly-equivalent amount per currency for each tier."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models import CURRENCY_CODE_CHECK


class Benefit(models.Model):
    """What a tier gives. `code` is what the news site reads (for example `no_appeals`)."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("benefit")
        verbose_name_plural = _("benefits")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Tier(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), unique=True, help_text=_("Lower first: Supporter 1, Member 2, Patron 3.")
    )
    benefits = models.ManyToManyField(Benefit, verbose_name=_("benefits"), blank=True, related_name="tiers")

    class Meta:
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        ordering = ["position"]

    def __str__(self) -> str:
        return self.name


class TierMinimum(models.Model):
    """The smallest monthly-equivalent amount (annual / 12, rounded down) that reaches the tier."""

    tier = models.ForeignKey(Tier, on_delete=models.CASCADE, related_name="minimums")
    currency = models.CharField(_("currency"), max_length=3)
    monthly_minimum_minor = models.BigIntegerField(_("monthly minimum (minor units)"))

    class Meta:
        verbose_name = _("minimum amount")
        verbose_name_plural = _("minimum amounts")
        constraints = [
            models.UniqueConstraint(fields=["tier", "currency"], name="tier_minimum_one_per_currency"),
            models.CheckConstraint(condition=Q(monthly_minimum_minor__gt=0), name="tier_minimum_positive"),
            models.CheckConstraint(condition=CURRENCY_CODE_CHECK, name="tier_minimum_currency_iso"),
        ]

    def __str__(self) -> str:
        return f"{self.tier} {self.monthly_minimum_minor} {self.currency}"
