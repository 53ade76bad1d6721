"""Staff pages in the admin: Stripe events (re-run), the read-only ledger, refunds, payouts, reports."""

import uuid
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from payments import gateway, money
from payments.admin_mixins import MoneyFieldsMixin, ReadOnlyAdmin, ReadOnlyTabularInline, money_column
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


class AttemptInline(ReadOnlyTabularInline):
    model = WebhookEventAttempt
    fields = ("started_at", "finished_at", "trigger", "outcome", "note", "error")
    readonly_fields = fields


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
    # Exact ids only (case-sensitive, as Stripe's are): the event log grows by every delivery, and these
    # lookups use its indexes, where "=" (iexact) would compare UPPER() of every row.
    search_fields = ("stripe_event_id__exact", "object_id__exact")
    date_hierarchy = "received_at"
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
    search_fields = ("stripe_object_id__exact", "stripe_balance_transaction_id__exact", "contributor__email")
    search_help_text = _("A Stripe id (ch_…, re_…, dp_…, txn_…) or a contributor's email.")
    date_hierarchy = "occurred_at"
    ordering = ("-occurred_at", "-id")
    list_select_related = ("contribution",)
    show_full_result_count = False


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


class RefundRequestInline(ReadOnlyTabularInline):
    model = RefundRequest
    amount = money_column("amount_minor", _("amount"))
    fields = ("created_at", "amount", "status", "stripe_refund_id", "requested_by", "error")
    readonly_fields = fields


@admin.register(Contribution)
class ContributionAdmin(MoneyFieldsMixin, ReadOnlyAdmin):
    """Read-only, amounts and Stripe ids above all: staff refund through the action or the Refund… page."""

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
    list_filter = ("status", "frequency", "currency", "campaign", "succeeded_at")
    search_fields = (
        "contributor__email",
        "stripe_payment_intent_id__exact",
        "stripe_invoice_id__exact",
        "stripe_charge_id__exact",
    )
    search_help_text = _("A contributor's email, a receipt reference or a Stripe id (pi_…, in_…, ch_…).")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_select_related = ("contributor",)
    show_full_result_count = False
    inlines = [RefundRequestInline]
    actions = ["refund_in_full"]
    change_form_template = "admin/payments/contribution/change_form.html"

    def get_search_results(self, request, queryset, search_term):
        """Also the receipt's reference (its public id), when the term is one: a reader quotes it."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        try:
            reference = uuid.UUID(search_term.strip())
        except ValueError:
            return found, may_have_duplicates
        return found | queryset.filter(public_id=reference), may_have_duplicates

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
    """Staff may correct a name or language; the email (who gave) and Stripe's customer are not theirs to
    change, and a contributor is anonymised with its reader's account, never deleted here."""

    list_display = ("email", "name", "language", "user", "stripe_customer_id", "created_at")
    list_filter = ("language", "created_at")
    search_fields = ("email", "name", "stripe_customer_id__exact")
    search_help_text = _("An email, a name or a Stripe customer id (cus_…).")
    list_select_related = ("user",)
    ordering = ("-created_at", "-id")
    readonly_fields = ("email", "user", "stripe_customer_id", "created_at")

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(RefundRequest)
class RefundRequestAdmin(MoneyFieldsMixin, ReadOnlyAdmin):
    amount = money_column("amount_minor", _("amount"))
    money_fields = {"amount_minor": "amount"}
    list_display = ("created_at", "contribution", "amount", "status", "stripe_refund_id", "requested_by")
    list_filter = ("status", "currency", "created_at")
    search_fields = (
        "stripe_refund_id__exact",
        "contribution__contributor__email",
        "contribution__stripe_payment_intent_id__exact",
    )
    search_help_text = _("A Stripe refund id (re_…), a payment intent id (pi_…) or a contributor's email.")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_select_related = ("contribution", "requested_by")


class PayoutLineInline(ReadOnlyTabularInline):
    model = PayoutLine
    amount = money_column("amount_minor", _("amount"))
    fee = money_column("fee_minor", _("fee"))
    fields = ("stripe_balance_transaction_id", "type", "amount", "fee", "ledger_entry")
    readonly_fields = fields


@admin.register(Payout)
class PayoutAdmin(MoneyFieldsMixin, ReadOnlyAdmin):
    amount = money_column("amount_minor", _("amount"))
    money_fields = {"amount_minor": "amount"}
    list_display = ("stripe_payout_id", "amount", "status", "arrival_date", "stripe_created_at")
    list_filter = ("status", "currency", "arrival_date")
    search_fields = ("stripe_payout_id__exact", "lines__stripe_balance_transaction_id__exact")
    search_help_text = _("A Stripe payout id (po_…) or a balance transaction id (txn_…).")
    date_hierarchy = "arrival_date"
    ordering = ("-arrival_date", "-id")
    inlines = [PayoutLineInline]


@admin.register(ReconciliationReport)
class ReconciliationReportAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "since", "events_seen", "events_stored", "events_processed", "is_clean")
    date_hierarchy = "started_at"
    ordering = ("-started_at", "-id")


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdmin):
    list_display = ("started_at", "finished_at")
    date_hierarchy = "started_at"
    ordering = ("-started_at", "-id")
