"""Staff manage newsletters and see who signed up, with the proof of consent; the embed code for the
news site is on each newsletter's page. Sign-ups and their events are read-only: the only change staff
make is an unsubscribe (a reader's request by email), which is recorded like any other."""

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from newsletters.models import Newsletter, NewsletterSignup, SignupEvent
from newsletters.services import signup_unsubscribe
from payments.admin_mixins import ReadOnlyMixin, ReadOnlyTabularInline


@admin.register(Newsletter)
class NewsletterAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "language", "is_active", "is_default", "position", "confirmed")
    list_filter = ("is_active", "is_default", "language")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("embed_code",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                confirmed_count=Count("signups", filter=Q(signups__status=NewsletterSignup.Status.CONFIRMED))
            )
        )

    @admin.display(description=_("signed up"), ordering="confirmed_count")
    def confirmed(self, newsletter: Newsletter) -> int:
        return getattr(newsletter, "confirmed_count", 0)

    @admin.display(description=_("embed on the news site"))
    def embed_code(self, newsletter: Newsletter) -> str:
        if not newsletter.pk:
            return gettext("Save the newsletter first.")
        return render_to_string(
            "newsletters/admin_embed_code.html", {"newsletter": newsletter, "SITE_URL": settings.SITE_URL}
        )


class SignupEventInline(ReadOnlyTabularInline):
    """The proof of consent, append-only."""

    model = SignupEvent
    fields = ("kind", "at", "how", "consent_text", "webhook_delivered_at")
    readonly_fields = fields


@admin.register(NewsletterSignup)
class NewsletterSignupAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ("email", "newsletter", "status", "language", "source", "consent_at", "confirmed_at")
    list_filter = ("status", "newsletter", "language", "source", "confirmed_at")
    search_fields = ("email",)
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-id")
    list_select_related = ("newsletter",)
    show_full_result_count = False
    inlines = [SignupEventInline]
    actions = ["unsubscribe_selected"]
    readonly_fields = (
        "public_id",
        "newsletter",
        "email",
        "status",
        "language",
        "source",
        "consent_text",
        "consent_at",
        "confirmed_at",
        "unsubscribed_at",
        "created_at",
        "updated_at",
    )

    @admin.action(description=_("Unsubscribe the selected sign-ups"))
    def unsubscribe_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        count = 0
        for public_id in queryset.exclude(status=NewsletterSignup.Status.UNSUBSCRIBED).values_list(
            "public_id", flat=True
        ):
            signup_unsubscribe(public_id=str(public_id), how="admin")
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d sign-up unsubscribed.", "%(count)d sign-ups unsubscribed.", count)
            % {"count": count},
            messages.SUCCESS,
        )
