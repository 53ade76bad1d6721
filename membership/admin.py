"""Staff pages of memberships: tiers and benefits (editable), memberships and their history (read-only).

Stripe's subscription is the truth of a membership and its history is append-only, so neither is
edited here; staff with `manage_membership` act for a reader through its buttons (`admin_actions.py`).
Tier minimums are typed as money in the currency's units and stored in minor units.
"""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.conf import settings
from django.contrib import admin
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from membership import tiers
from membership.admin_actions import MembershipActionsAdmin
from membership.models import Benefit, Membership, MembershipEvent, Tier, TierMinimum
from payments import money
from payments.admin_mixins import ReadOnlyAdmin, ReadOnlyMixin, ReadOnlyTabularInline, money_column

ROUNDING_HELP = _(
    "The smallest monthly amount that reaches the tier, in the currency's units (5.00 for USD, 500 "
    "for JPY). An annual membership counts as its amount divided by 12, rounded down to the "
    "currency's smallest unit: 60.00 a year reaches a 5.00 minimum, 59.99 a year does not."
)


def _locale() -> str:
    return translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)


class TierMinimumForm(forms.ModelForm):
    """The minimum in major units ("5.00" USD, "500" JPY); stored in minor units (500, 500)."""

    monthly_minimum = forms.DecimalField(
        label=_("monthly minimum"), min_value=Decimal("0"), help_text=ROUNDING_HELP
    )

    class Meta:
        model = TierMinimum
        fields = ("currency",)
        help_texts = {"currency": _("Three letters, for example USD, EUR, JPY.")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk and instance.currency:
            self.initial["monthly_minimum"] = money.to_major(
                instance.monthly_minimum_minor, instance.currency
            )

    def clean_currency(self) -> str:
        try:
            return money.normalise_currency(self.cleaned_data["currency"])
        except money.InvalidCurrencyError:
            raise forms.ValidationError(
                _("Enter a currency code such as USD, EUR or JPY."), code="currency"
            ) from None

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        currency, amount = cleaned.get("currency"), cleaned.get("monthly_minimum")
        if currency is None or amount is None:
            return cleaned
        try:
            minor = money.from_major(amount, currency)
        except ValueError:
            places = money.minor_unit_exponent(currency)
            self.add_error(
                "monthly_minimum",
                forms.ValidationError(
                    _("%(currency)s has %(places)d decimal places: %(amount)s has more."),
                    code="decimals",
                    params={"currency": currency, "places": places, "amount": amount},
                ),
            )
            return cleaned
        if minor <= 0:
            self.add_error(
                "monthly_minimum", forms.ValidationError(_("Enter an amount above zero."), code="min")
            )
            return cleaned
        self.instance.monthly_minimum_minor = minor
        return cleaned


class TierMinimumInline(admin.TabularInline):
    model = TierMinimum
    form = TierMinimumForm
    extra = 1
    fields = ("currency", "monthly_minimum", "annual_minimum")
    readonly_fields = ("annual_minimum",)

    @admin.display(description=_("reached a year from"))
    def annual_minimum(self, minimum: TierMinimum) -> str:
        if not minimum.pk:
            return self.get_empty_value_display()
        return money.format_money(minimum.monthly_minimum_minor * 12, minimum.currency, _locale())


@admin.register(Tier)
class TierAdmin(admin.ModelAdmin):
    """Saving a tier, its minimums or its benefits moves every membership to the tier its amount reaches."""

    list_display = ("name", "position", "minimums_shown", "benefits_shown")
    ordering = ("position",)
    search_fields = ("name",)
    filter_horizontal = ("benefits",)
    fields = ("name", "description", "position", "benefits")
    inlines = (TierMinimumInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("minimums", "benefits")

    @admin.display(description=_("monthly minimums"))
    def minimums_shown(self, tier: Tier) -> str:
        locale = _locale()
        shown = sorted(tier.minimums.all(), key=lambda minimum: minimum.currency)
        return (
            " · ".join(money.format_money(m.monthly_minimum_minor, m.currency, locale) for m in shown) or "-"
        )

    @admin.display(description=_("benefits"))
    def benefits_shown(self, tier: Tier) -> str:
        return ", ".join(benefit.name for benefit in tier.benefits.all()) or "-"

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        tiers.tiers_reassign()

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        tiers.tiers_reassign()

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        tiers.tiers_reassign()


@admin.register(Benefit)
class BenefitAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "position", "tiers_shown")
    list_editable = ("position",)
    search_fields = ("name", "code")
    ordering = ("position", "id")
    prepopulated_fields = {"code": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")

    @admin.display(description=_("tiers"))
    def tiers_shown(self, benefit: Benefit) -> str:
        return ", ".join(tier.name for tier in benefit.tiers.all()) or "-"


class MembershipEventInline(ReadOnlyTabularInline):
    """The membership's history, oldest first: read-only, as it is append-only."""

    model = MembershipEvent
    ordering = ("occurred_at", "id")
    monthly_amount = money_column("monthly_amount_minor", _("monthly amount after"))
    previous_monthly_amount = money_column("previous_monthly_amount_minor", _("monthly amount before"))
    fields = (
        "occurred_at",
        "kind",
        "cause",
        "actor",
        "previous_monthly_amount",
        "monthly_amount",
        "interval",
        "stripe_event_id",
        "job",
        "reason",
        "reason_text",
    )
    readonly_fields = fields


@admin.register(Membership)
class MembershipAdmin(ReadOnlyMixin, MembershipActionsAdmin):
    """Every field is read-only: changes go through the action buttons, to Stripe first."""

    amount = money_column("amount_minor", _("amount"))
    list_display = (
        "contributor",
        "amount",
        "interval",
        "state",
        "tier",
        "monthly_equivalent",
        "status",
        "current_period_end",
        "started_at",
    )
    list_filter = ("state", "tier", "status", "interval", "currency", "campaign")
    search_fields = ("contributor__email", "contributor__name", "stripe_subscription_id__exact")
    search_help_text = _("A contributor's email or name, or a Stripe subscription id (sub_…).")
    list_select_related = ("contributor", "tier")
    date_hierarchy = "created_at"
    inlines = (MembershipEventInline,)
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "contributor",
                    "state",
                    "status",
                    "tier",
                    "amount",
                    "interval",
                    "monthly_equivalent",
                )
            },
        ),
        (
            _("Dates"),
            {
                "fields": (
                    "started_at",
                    "current_period_end",
                    "cancel_at_period_end",
                    "canceled_at",
                    "ended_at",
                    "past_due_since",
                    "grace_ends",
                    "paused_until",
                )
            },
        ),
        (_("Card"), {"fields": ("card", "stripe_payment_method_id")}),
        (
            _("Stripe and attribution"),
            {
                "classes": ("collapse",),
                "fields": (
                    "stripe_subscription_id",
                    "stripe_plan_id",
                    "stripe_synced_at",
                    *Membership.ATTRIBUTION_FIELDS,
                    "welcome_sent_at",
                    "created_at",
                    "updated_at",
                ),
            },
        ),
    )

    @admin.display(description=_("monthly equivalent"))
    def monthly_equivalent(self, membership: Membership) -> str:
        return money.format_money(membership.monthly_amount_minor, membership.currency, _locale())

    @admin.display(description=_("grace period ends"))
    def grace_ends(self, membership: Membership) -> str:
        if membership.past_due_since is None:
            return self.get_empty_value_display()
        ends = membership.past_due_since + timedelta(days=settings.MEMBERSHIP_GRACE_DAYS)
        return formats.localize(timezone.localtime(ends))

    @admin.display(description=_("card"))
    def card(self, membership: Membership) -> str:
        if not membership.card_last4:
            return self.get_empty_value_display()
        expiry = ""
        if membership.card_exp_month and membership.card_exp_year:
            expiry = f" ({membership.card_exp_month:02d}/{membership.card_exp_year})"
        brand = (membership.card_brand or "card").replace("_", " ").title()
        return f"{brand} •••• {membership.card_last4}{expiry}"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Membership._meta.fields] + [
            "amount",
            "monthly_equivalent",
            "grace_ends",
            "card",
        ]


@admin.register(MembershipEvent)
class MembershipEventAdmin(ReadOnlyAdmin):
    """The append-only history: searchable by membership id or Stripe event id, never edited."""

    monthly_amount = money_column("monthly_amount_minor", _("monthly amount after"))
    previous_monthly_amount = money_column("previous_monthly_amount_minor", _("monthly amount before"))
    list_display = (
        "occurred_at",
        "membership",
        "kind",
        "cause",
        "monthly_amount",
        "interval",
        "stripe_event_id",
    )
    list_filter = ("kind", "cause", "currency", "interval")
    search_fields = ("=membership__id", "stripe_event_id__exact", "stripe_invoice_id__exact")
    search_help_text = _("A membership id, a Stripe event id (evt_…) or a Stripe invoice id (in_…).")
    list_select_related = ("membership__contributor",)
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    show_full_result_count = False
    fields = (
        "membership",
        "kind",
        "occurred_at",
        "recorded_at",
        "cause",
        "stripe_event_id",
        "actor",
        "job",
        "monthly_amount",
        "previous_monthly_amount",
        "currency",
        "interval",
        "previous_interval",
        "reason",
        "reason_text",
        "stripe_invoice_id",
        "dedupe_key",
    )
    readonly_fields = fields
