"""Staff pages of checkout in the admin: the preset amounts the support page offers."""

from django.contrib import admin

from checkout.models import AmountPreset


@admin.register(AmountPreset)
class AmountPresetAdmin(admin.ModelAdmin):
    list_display = ("currency", "frequency", "amount_minor", "is_default", "position")
    list_editable = ("is_default", "position")
    list_filter = ("currency", "frequency")
    ordering = ("currency", "frequency", "position", "amount_minor")
