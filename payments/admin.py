"""Staff pages in the admin: Stripe events (re-run), the read-only ledger, refunds, payouts, reports."""

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from payments import gateway, money
from payments.ledger import refunds
from payments.models import (
    Contribution,
    Contributor,
    ImportRun,
    LedgerEntry,
    Payout,
    PayoutLine,
    ReconciliationReport,
    RefundRequest,
    WebhookEvent,
    WebhookEventAttempt,
)
from payments.webhooks import processing


def money_column(amount_field: str, description: Any, *, currency_field: str = "currency") -> Callable:
    """An admin column, and detail field, showing `amount_field` (minor units) as money in its currency.

    Assign it in an admin class (`amount = money_column("amount_minor", _("amount"))`) and name it in
    `list_display`, `fields` or `readonly_fields`: "$25.00", "¥500", never "2500".
    """

    @admin.display(description=description, ordering=amount_field)
    def column(model_admin: admin.options.BaseModelAdmin, obj: Any) -> str:
        amount, currency = getattr(obj, amount_field), getattr(obj, currency_field)
        if amount is None or not currency:
            return model_admin.get_empty_value_display()
        locale = translation.to_locale(translation.get_language() or settings.LANGUAGE_CODE)
        return money.format_money(amount, currency, locale)

    return column


class MoneyFieldsMixin:
    """On detail pages each `<name>_minor` field in `money_fields` gives way to its money column, in place."""

    money_fields: dict[str, str] = {}  # model field → money_column attribute, e.g. {"amount_minor": "amount"}

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        return readonly + [name for name in self.money_fields.values() if name not in readonly]

    def get_fields(self, request, obj=None):
        columns = set(self.money_fields.values())
        fields = [name for name in super().get_fields(request, obj) if name not in columns]  # type: ignore[misc]
        return [self.money_fields.get(name, name) for name in fields]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Money and Stripe's records are never edited by hand."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class AttemptInline(admin.TabularInline):
    model = WebhookEventAttempt
    extra = 0
    can_delete = False
    fields = ("started_at", "finished_at", "trigger", "outcome", "note", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(WebhookEvent)
class WebhookEventAdmin(ReadOnlyAdmin):
    list_display = (
        "stripe_event_id",
        "type",
        "status",
        "object_id",
        "attempts",
        "stripe_created_at",
        "received_at",
    )
    list_filter = ("status", "type", "livemode")
    # Exact ids only: the event log grows by every delivery, and these lookups use its indexes.
    search_fields = ("=stripe_event_id", "=object_id")
    ordering = ("-id",)
    show_full_result_count = False
    inlines = [AttemptInline]
    actions = ["rerun_events"]

    def has_rerun_permission(self, request) -> bool:
        return request.user.has_perm("payments.change_webhookevent")

    @admin.action(description=_("Re-run the selected events now"), permissions=["rerun"])
    def rerun_events(self, request, queryset):
        outcomes: dict[str, int] = {}
        for event in queryset.exclude(
            status__in=[WebhookEvent.Status.PROCESSED, WebhookEvent.Status.IGNORED]
        ):
            outcome = processing.webhook_event_rerun(event=event)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
        summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(outcomes.items())) or _(
            "nothing"
        )
        self.message_user(request, _("Re-run: %(summary)s.") % {"summary": summary})


@admin.register(LedgerEntry)
class LedgerEntryAdmin(MoneyFieldsMixin, ReadOnlyAdmin):
    amount = money_column("amount_minor", _("amount"))
    settlement = money_column(
        "settlement_amount_minor", _("settlement amount"), currency_field="settlement_currency"
    )
    money_fields = {"amount_minor": "amount", "settlement_amount_minor": "settlement"}
    list_display = (
        "occurred_at",
        "kind",
        "amount",
        "stripe_object_id",
        "contribution",
        "campaign",
    )
    list_filter = ("kind", "currency", "campaign")
    search_fields = ("stripe_object_id", "stripe_balance_transaction_id", "contributor__email")
    date_hierarchy = "occurred_at"
    list_select_related = ("contribution",)


def _too_many_decimals(places: int) -> str:
    """Called per request, so plain (not lazy) translations."""
    if places == 0:
        return gettext("%(amount)s has more decimals than %(currency)s allows: enter whole units.")
    return ngettext(
        "%(amount)s has more decimals than %(currency)s allows: at most %(places)d decimal place.",
        "%(amount)s has more decimals than %(currency)s allows: at most %(places)d decimal places.",
        places,
    )


class RefundForm(forms.Form):
    """A refund in the contribution's currency: its own decimals (CLDR), in steps Stripe accepts.

    `cleaned_data["amount"]` is in minor units (JPY 500 is 500, EUR 12.50 is 1250, KWD 1.230 is 1230).
    """

    amount = forms.DecimalField(label=_("Amount to refund"), min_value=0)
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency
        self.step_minor = gateway.smallest_step_minor(currency)
        field = self.fields["amount"]
        field.label = _("Amount to refund (%(currency)s)") % {"currency": currency}
        field.widget.attrs["step"] = str(money.to_major(self.step_minor, currency))

    def clean_amount(self) -> int:
        amount: Decimal = self.cleaned_data["amount"]
        places = money.minor_unit_exponent(self.currency)
        try:
            amount_minor = money.from_major(amount, self.currency)
        except ValueError:
            raise forms.ValidationError(
                _too_many_decimals(places),
                code="decimals",
                params={"amount": amount, "currency": self.currency, "places": places},
            ) from None
        if amount_minor % self.step_minor:
            lower = amount_minor - amount_minor % self.step_minor
            raise forms.ValidationError(
                _("Stripe refunds %(currency)s only in steps of %(step)s: enter %(lower)s or %(higher)s."),
                code="step",
                params={
                    "currency": self.currency,
                    "step": money.to_major(self.step_minor, self.currency),
                    "lower": money.to_major(lower, self.currency),
                    "higher": money.to_major(lower + self.step_minor, self.currency),
                },
            )
        return amount_minor


class RefundRequestInline(admin.TabularInline):
    model = RefundRequest
    extra = 0
    can_delete = False
    amount = money_column("amount_minor", _("amount"))
    fields = ("created_at", "amount", "status", "stripe_refund_id", "requested_by", "error")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Contribution)
class ContributionAdmin(MoneyFieldsMixin, admin.ModelAdmin):
    amount = money_column("amount_minor", _("amount"))
    fee_covered = money_column("fee_covered_minor", _("processing fee covered"))
    refunded = money_column("amount_refunded_minor", _("refunded"))
    money_fields = {
        "amount_minor": "amount",
        "fee_covered_minor": "fee_covered",
        "amount_refunded_minor": "refunded",
    }
    list_display = (
        "created_at",
        "contributor",
        "frequency",
        "amount",
        "status",
        "campaign",
    )
    list_filter = ("status", "frequency", "currency", "campaign")
    search_fields = (
        "contributor__email",
        "stripe_payment_intent_id",
        "stripe_invoice_id",
        "stripe_charge_id",
    )
    date_hierarchy = "created_at"
    list_select_related = ("contributor",)
    inlines = [RefundRequestInline]
    actions = ["refund_in_full"]
    change_form_template = "admin/payments/contribution/change_form.html"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Contribution._meta.fields] + list(
            super().get_readonly_fields(request, obj)
        )

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view(self.refund_view)
        return [path("<int:pk>/refund/", view, name="payments_contribution_refund"), *super().get_urls()]

    def has_refund_permission(self, request) -> bool:
        return request.user.has_perm("payments.add_refundrequest")

    @admin.action(description=_("Refund the selected contributions in full"), permissions=["refund"])
    def refund_in_full(self, request, queryset):
        for contribution in queryset:
            amount = refunds.refundable_minor(contribution)
            self._refund(request, contribution, amount, reason="")

    def _refund(self, request, contribution: Contribution, amount_minor: int, reason: str) -> bool:
        try:
            refund = refunds.contribution_refund(
                contribution=contribution, amount_minor=amount_minor, requested_by=request.user, reason=reason
            )
        except refunds.RefundNotAllowedError as exc:
            self.message_user(request, f"{contribution}: {exc}", level=messages.ERROR)
            return False
        self.message_user(
            request,
            _("Refund of %(amount)s for %(contribution)s: %(status)s.")
            % {
                "amount": money.format_money(refund.amount_minor, refund.currency),
                "contribution": contribution,
                "status": refund.get_status_display(),
            },
        )
        return True

    def refund_view(self, request, pk: int):
        if not self.has_refund_permission(request):
            raise PermissionDenied
        contribution = get_object_or_404(Contribution, pk=pk)
        form = RefundForm(request.POST or None, currency=contribution.currency)
        if request.method == "POST" and form.is_valid():
            amount_minor = form.cleaned_data["amount"]  # minor units: see RefundForm
            if self._refund(request, contribution, amount_minor, form.cleaned_data["reason"]):
                return redirect(reverse("admin:payments_contribution_change", args=[pk]))
            form.add_error("amount", _("Stripe made no refund; see the message above."))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Refund contribution"),
            "contribution": contribution,
            "refundable": money.format_money(refunds.refundable_minor(contribution), contribution.currency),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/payments/contribution/refund.html", context)


@admin.register(Contributor)
class ContributorAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "stripe_customer_id", "created_at")
    search_fields = ("email", "name", "stripe_customer_id")


@admin.register(RefundRequest)
class RefundRequestAdmin(MoneyFieldsMixin, ReadOnlyAdmin):
    amount = money_column("amount_minor", _("amount"))
    money_fields = {"amount_minor": "amount"}
    list_display = ("created_at", "contribution", "amount", "status", "stripe_refund_id")
    list_filter = ("status",)


class PayoutLineInline(admin.TabularInline):
    model = PayoutLine
    extra = 0
    amount = money_column("amount_minor", _("amount"))
    fee = money_column("fee_minor", _("fee"))
    fields = ("stripe_balance_transaction_id", "type", "amount", "fee", "ledger_entry")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Payout)
class PayoutAdmin(MoneyFieldsMixin, ReadOnlyAdmin):
    amount = money_column("amount_minor", _("amount"))
    money_fields = {"amount_minor": "amount"}
    list_display = ("stripe_payout_id", "amount", "status", "arrival_date")
    inlines = [PayoutLineInline]


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "since", "events_seen", "events_stored", "events_processed", "is_clean")


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at")
