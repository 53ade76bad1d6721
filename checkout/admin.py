"""Staff pages of checkout in the admin: the preset amounts the support page offers."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from checkout.models import AmountPreset
from payments.admin_mixins import money_column


@admin.register(AmountPreset)
class AmountPresetAdmin(admin.ModelAdmin):
    """Amounts are typed in minor units (the field says so) and shown beside it as money ("€15.00")."""

    amount = money_column("amount_minor", _("amount"))
    list_display = ("currency", "frequency", "amount", "is_default", "position")
    list_editable = ("is_default", "position")
    list_filter = ("currency", "frequency")
    ordering = ("currency", "frequency", "position", "amount_minor")
    fields = ("currency", "frequency", "amount_minor", "amount", "is_default", "position")
    readonly_fields = ("amount",)
