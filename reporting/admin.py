"""Admin for what staff keep by hand: exchange rates (edit or upload CSV), other revenue, API tokens."""

import csv
import io
from datetime import date
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from payments.admin_mixins import money_column
from reporting.access import api_token_issue
from reporting.models import ExchangeRate, OtherRevenue, StaffApiToken

RATE_COLUMNS = ["day", "currency", "quote_currency", "rate"]


class RatesUploadForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "Columns: day (YYYY-MM-DD), currency, quote_currency, rate. A header row is required."
        ),
    )


def rates_from_csv(text: str) -> tuple[list[ExchangeRate], list[str]]:
    """Rows to store, and one message per refused line (nothing is stored if any line is refused)."""
    rates, problems = [], []
    reader = csv.DictReader(io.StringIO(text))
    if [name.strip() for name in reader.fieldnames or []] != RATE_COLUMNS:
        return [], [_("The first line must be: %(columns)s.") % {"columns": ",".join(RATE_COLUMNS)}]
    for line, row in enumerate(reader, start=2):
        try:
            day = date.fromisoformat(row["day"].strip())
            currency, quote = row["currency"].strip().upper(), row["quote_currency"].strip().upper()
            rate = Decimal(row["rate"].strip())
        except (ValueError, InvalidOperation, AttributeError):
            problems.append(
                _("Line %(line)s: a day as YYYY-MM-DD and a number as the rate.") % {"line": line}
            )
            continue
        if len(currency) != 3 or len(quote) != 3 or not (currency + quote).isalpha() or rate <= 0:
            problems.append(
                _("Line %(line)s: two three-letter currencies and a rate above zero.") % {"line": line}
            )
            continue
        rates.append(ExchangeRate(day=day, currency=currency, quote_currency=quote, rate=rate))
    return rates, problems


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    list_display = ("day", "currency", "quote_currency", "rate")
    list_filter = ("currency", "quote_currency")
    date_hierarchy = "day"
    change_list_template = "admin/reporting/exchangerate/change_list.html"

    def get_urls(self):
        upload = path(
            "upload/", self.admin_site.admin_view(self.upload_view), name="reporting_exchangerate_upload"
        )
        return [upload, *super().get_urls()]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_add_permission(request):
            return HttpResponse(status=403)
        form = RatesUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            raw = form.cleaned_data["file"].read()
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.add_error("file", _("The file must be UTF-8 text."))
            else:
                rates, problems = rates_from_csv(text)
                for problem in problems:
                    form.add_error("file", problem)
                if not problems:
                    ExchangeRate.objects.bulk_create(
                        rates,
                        update_conflicts=True,
                        unique_fields=["day", "currency", "quote_currency"],
                        update_fields=["rate"],
                    )
                    messages.success(request, _("%(count)s rates stored.") % {"count": len(rates)})
                    return redirect("admin:reporting_exchangerate_changelist")
        context = {**self.admin_site.each_context(request), "form": form, "title": _("Upload exchange rates")}
        return render(request, "admin/reporting/exchangerate/upload.html", context)


@admin.register(OtherRevenue)
class OtherRevenueAdmin(admin.ModelAdmin):
    amount = money_column("amount_minor", gettext_lazy("amount"))
    list_display = ("month", "category", "amount", "note")
    list_filter = ("category", "currency")
    search_fields = ("note",)
    date_hierarchy = "month"


@admin.register(StaffApiToken)
class StaffApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("name", "user__email", "prefix")
    list_select_related = ("user",)
    readonly_fields = ("prefix", "created_at", "last_used_at", "revoked_at")
    fields = ("user", "name", "prefix", "created_at", "last_used_at", "revoked_at")
    actions = ["revoke"]

    def save_model(self, request, obj, form, change) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return
        token, raw = api_token_issue(user=obj.user, name=obj.name)
        obj.pk, obj.prefix, obj.key_hash = token.pk, token.prefix, token.key_hash
        messages.warning(
            request,
            _("The new token, shown this once (only its hash is kept): %(token)s") % {"token": raw},
        )

    @admin.action(description=gettext_lazy("Revoke the selected tokens"))
    def revoke(self, request, queryset) -> None:
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, _("%(count)s tokens revoked.") % {"count": count})
