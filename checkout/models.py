"""What the checkout page offers: the preset amounts staff set per currency and frequency."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from payments.models import CURRENCY_CODE_CHECK, Frequency
from payments.money import InvalidCurrencyError, normalise_currency


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
        except InvalidCurrencyError:
            raise ValidationError({"currency": _("Enter an ISO 4217 currency code, such as EUR.")}) from None
