"""Staff pages for checkout settings: the preset amounts offered per currency and frequency."""

from django.contrib import admin

from payments.models import AmountPreset


@admin.register(AmountPreset)
class AmountPresetAdmin(admin.ModelAdmin):
    list_display = ("currency", "frequency", "amount_minor", "is_default", "position")
    list_editable = ("is_default", "position")
    list_filter = ("currency", "frequency")
    ordering = ("currency", "frequency", "position", "amount_minor")
