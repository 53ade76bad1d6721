"""The portal's forms: what a reader may ask to change, checked before anything is sent to Stripe."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from membership.models import CancelReason, Membership
from payments.money import minor_unit_exponent


def minor_from_text(text: str, currency: str) -> int | None:
    """ "12.50" / "12,50" in the currency's major units → 1250; None when it is not an amount."""
    cleaned = text.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        return None
    minor = value.scaleb(minor_unit_exponent(currency))
    if not value.is_finite() or value <= 0 or minor != minor.to_integral_value():
        return None
    return int(minor)


class ChangeForm(forms.Form):
    """A new amount (a preset, or typed) and frequency for one membership."""

    interval = forms.ChoiceField(
        label=_("How often"),
        choices=[(Membership.Interval.MONTH, _("Monthly")), (Membership.Interval.YEAR, _("Annually"))],
        widget=forms.RadioSelect,
    )
    preset = forms.CharField(required=False, widget=forms.RadioSelect)
    custom = forms.CharField(label=_("Or another amount"), required=False, max_length=20)

    def __init__(self, *args, currency: str, preset_choices: list[tuple[str, str]], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.fields["preset"].widget.choices = preset_choices

    def clean(self) -> dict:
        data = super().clean() or {}
        custom = (data.get("custom") or "").strip()
        if custom:
            amount = minor_from_text(custom, self.currency)
            if amount is None:
                self.add_error("custom", _("Enter an amount, for example 12.50."))
        elif (data.get("preset") or "").isdigit():
            amount = int(data["preset"])
        else:
            amount = None
            self.add_error("custom", _("Choose an amount or type one."))
        data["amount_minor"] = amount
        return data


class ConfirmChangeForm(forms.Form):
    """The change the reader reviewed, sent back with their confirmation."""

    interval = forms.ChoiceField(choices=Membership.Interval.choices)
    amount_minor = forms.IntegerField(min_value=1)


class CancelReasonForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Would you tell us why? (optional)"),
        choices=[("", _("I'd rather not say")), *CancelReason.choices],
        required=False,
        widget=forms.RadioSelect,
    )
    reason_text = forms.CharField(
        label=_("Anything else you want us to know (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class LowerAmountForm(forms.Form):
    custom = forms.CharField(label=_("Your new monthly amount"), max_length=20)


class EmailPreferencesForm(forms.Form):
    """The two kinds of email a reader may turn off; receipts and payment problems always go."""

    email_appeals = forms.BooleanField(
        label=_("Appeals and campaign news"),
        help_text=_("Now and then, when the newsroom asks for support or runs a campaign."),
        required=False,
    )
    email_reminders = forms.BooleanField(
        label=_("Reminders"),
        help_text=_("About a month before the card on file expires."),
        required=False,
    )


class DeleteAccountForm(forms.Form):
    """Deleting is for good: the reader types their email address to say they mean it."""

    email = forms.EmailField(label=_("Type your email address to confirm"))

    def __init__(self, *args, account_email: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.account_email = account_email

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if email.strip().lower() != self.account_email.lower():
            raise forms.ValidationError(_("This is not the email address of your account."))
        return email
