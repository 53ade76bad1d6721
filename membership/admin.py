"""Staff pages of memberships in the admin: read-only, since Stripe's subscription is the truth."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from membership.models import Membership
from payments.money import format_money


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = (
        "contributor",
        "amount",
        "interval",
        "status",
        "current_period_end",
        "started_at",
    )
    list_filter = ("status", "interval", "currency", "campaign")
    search_fields = ("contributor__email", "contributor__name", "=stripe_subscription_id")
    list_select_related = ("contributor",)
    date_hierarchy = "created_at"

    @admin.display(description=_("amount"), ordering="amount_minor")
    def amount(self, membership: Membership) -> str:
        return format_money(membership.amount_minor, membership.currency)

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Membership._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
