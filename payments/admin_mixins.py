"""What every staff page of money shares: amounts shown as money, and rows nobody edits by hand.

The apps above payments (membership, checkout, newsletters) import these for their own admin pages.
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.utils import translation

from payments import money


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


class ReadOnlyMixin:
    """Money, Stripe's records and append-only history: nobody adds, edits or deletes them here, not even
    a superuser (permissions are not asked). Staff still act through an admin's own actions and buttons
    (refund, re-run, cancel), which go through the services. For a ModelAdmin or an inline alike."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_actions(self, request):
        """Django already drops the bulk delete without the delete permission; this says so here too."""
        actions = super().get_actions(request)  # type: ignore[misc]
        actions.pop("delete_selected", None)
        return actions


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A ModelAdmin for rows that are never edited by hand."""


class ReadOnlyTabularInline(ReadOnlyMixin, admin.TabularInline):
    """An inline of such rows: shown in full, never added to, edited or deleted."""

    extra = 0
    can_delete = False
