"""Staff manage campaigns and banner messages; each message shows its experiment and a preview."""

from django.contrib import admin
from django.http import Http404, HttpRequest, JsonResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from engagement.campaigns import campaign_progress
from engagement.decisions import BUCKETS, DecisionInput, banner_decide, snapshot_build
from engagement.experiments import (
    fixed_split_verdict,
    revenue_per_thousand,
    sample_size_per_arm,
    wilson_interval,
)
from engagement.models import BannerMessage, BannerVariant, Campaign
from engagement.selectors import variant_arms, variant_counts
from payments.money import format_money
from reporting.conversion import reporting_currency


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "goal_kind", "starts_on", "ends_on", "progress")
    list_filter = ("goal_kind", "starts_on", "ends_on")
    search_fields = ("name", "slug", "headline")
    ordering = ("-starts_on", "name")
    prepopulated_fields = {"slug": ("name",)}

    @admin.display(description=_("progress"))
    def progress(self, campaign: Campaign) -> str:
        progress = campaign_progress(campaign)
        locale = translation.to_locale(translation.get_language() or "en")
        return progress.label(locale=locale) if progress else "—"


class BannerVariantInline(admin.StackedInline):
    model = BannerVariant
    extra = 0
    min_num = 1
    readonly_fields = ("bandit_weight_permille", "bandit_explanation", "bandit_updated_at")


def _percent(value: float) -> str:
    return f"{value * 100:.2f}%"


def _range(low: str, high: str) -> str:
    return f"({low}\u2013{high})"


@admin.register(BannerMessage)
class BannerMessageAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "is_active",
        "priority",
        "language",
        "test_mode",
        "campaign",
        "starts_at",
        "ends_at",
    )
    list_filter = ("is_active", "language", "test_mode", "campaign", "starts_at")
    list_select_related = ("campaign",)
    search_fields = ("name", "slug", "variants__headline")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [BannerVariantInline]
    readonly_fields = ("preview_link", "experiment")
    fieldsets = (
        (None, {"fields": ("name", "slug", "is_active", "priority", "preview_link")}),
        (
            _("Who sees it"),
            {"fields": ("site", "language", "countries", "sections", "tags", "starts_at", "ends_at")},
        ),
        (_("How often"), {"fields": ("min_article_views", "dismissals_before_pause", "pause_days")}),
        (_("Campaign"), {"fields": ("campaign", "show_ticker")}),
        (
            _("Experiment"),
            {"fields": ("test_mode", "expected_conversion_bp", "minimum_lift_percent", "experiment")},
        ),
    )

    def get_urls(self):
        return [
            path(
                "<int:pk>/preview/",
                self.admin_site.admin_view(self.preview_view),
                name="engagement_bannermessage_preview",
            ),
            path(
                "<int:pk>/preview.json",
                self.admin_site.admin_view(self.preview_json),
                name="engagement_bannermessage_preview_json",
            ),
            *super().get_urls(),
        ]

    @admin.display(description=_("preview"))
    def preview_link(self, message: BannerMessage) -> str:
        if not message.pk:
            return "—"
        links = format_html_join(
            " · ",
            '<a href="{}?variant={}">{}</a>',
            (
                (reverse("admin:engagement_bannermessage_preview", args=[message.pk]), v.key, v.key)
                for v in message.variants.all()
            ),
        )
        return format_html("{} {}", _("See it as a reader does:"), links)

    @admin.display(description=_("results"))
    def experiment(self, message: BannerMessage) -> str:
        if not message.pk:
            return "—"
        arms = variant_arms(message=message)
        counts = variant_counts(message=message)
        currency = reporting_currency()
        locale = translation.to_locale(translation.get_language() or "en")
        sample_size = sample_size_per_arm(
            baseline_rate=message.expected_conversion_bp / 10000,
            minimum_detectable_effect=message.minimum_lift_percent / 100,
        )
        weights = {v.key: v for v in message.variants.all()}
        rows = []
        for arm in arms:
            low, high = wilson_interval(successes=arm.conversions, trials=arm.views)
            rpm, rpm_low, rpm_high = revenue_per_thousand(arm=arm)
            variant_counts_row = counts.get(arm.key)
            variant = weights[arm.key]
            rows.append(
                (
                    arm.key,
                    variant.weight,
                    "—"
                    if variant.bandit_weight_permille is None
                    else f"{variant.bandit_weight_permille / 10:.1f}%",
                    arm.views,
                    variant_counts_row.clicks if variant_counts_row else 0,
                    variant_counts_row.dismissals if variant_counts_row else 0,
                    arm.conversions,
                    f"{_percent(arm.conversions / arm.views) if arm.views else '-'} "
                    f"{_range(_percent(low), _percent(high))}",
                    format_money(arm.revenue_minor, currency, locale),
                    f"{format_money(round(rpm), currency, locale)} "
                    + _range(
                        format_money(round(rpm_low), currency, locale),
                        format_money(round(rpm_high), currency, locale),
                    ),
                    variant.bandit_explanation or "",
                )
            )
        table = format_html(
            "<table><thead><tr>{}</tr></thead><tbody>{}</tbody></table>",
            format_html_join(
                "",
                "<th scope='col'>{}</th>",
                (
                    (label,)
                    for label in (
                        _("variant"),
                        _("weight"),
                        _("bandit weight"),
                        _("views"),
                        _("clicks"),
                        _("dismissals"),
                        _("gifts"),
                        # xgettext:no-python-format
                        _("conversion (95% interval)"),
                        _("revenue"),
                        # xgettext:no-python-format
                        _("revenue per 1,000 views (95% interval)"),
                        _("why this weight"),
                    )
                ),
            ),
            format_html_join("", "<tr>" + "<td>{}</td>" * 11 + "</tr>", rows),
        )
        summary: str
        if message.test_mode == BannerMessage.TestMode.BANDIT:
            summary = gettext(
                # xgettext:no-python-format
                "Thompson sampling on revenue per view: the weights are each variant's chance of being the "
                "best, from the counts, recomputed hourly; every variant keeps at least 5% of views."
            )
        else:
            summary = fixed_split_verdict(arms=arms, sample_size=sample_size).explanation
        return format_html(
            "{}<p>{}</p><p>{}</p>",
            table,
            summary,
            _("Two-proportion z-test, decided only at %(n)s views per variant (fixed sample size).")
            % {"n": f"{sample_size:,}"},
        )

    def _preview_banner(self, request: HttpRequest, message: BannerMessage) -> dict:
        variant = (
            message.variants.filter(key=request.GET.get("variant", "")).first() or message.variants.first()
        )
        if variant is None:
            raise Http404("This message has no variant.")
        snapshot = snapshot_build()
        rule = next((m for m in snapshot.messages if m.slug == message.slug), None)
        if rule is None:
            raise Http404("This message is not live (inactive, ended, or its campaign is closed).")
        bucket = next(b for b in range(BUCKETS) if rule.variant_for(b).key == variant.key)
        language = message.language or translation.get_language() or "en"
        only = type(snapshot)(messages=(rule,), figures=snapshot.figures, built_at=snapshot.built_at)
        request_input = DecisionInput(
            site="", section="", tags=frozenset(), views=10_000, language=language, country="", bucket=bucket
        )
        with translation.override(language):
            banner = banner_decide(
                snapshot=only,
                request=request_input,
                locale=translation.to_locale(language),
                now=timezone.now(),
            )
        if banner is None:
            raise Http404("A live figure this text quotes is missing.")
        return banner

    def preview_json(self, request: HttpRequest, pk: int) -> JsonResponse:
        message = self.get_object(request, str(pk))
        if message is None or not self.has_view_permission(request, message):
            raise Http404
        language = message.language or translation.get_language() or "en"
        banner = self._preview_banner(request, message)
        return JsonResponse({"show": True, "lang": language, "banner": banner, "preview": True})

    def preview_view(self, request: HttpRequest, pk: int) -> TemplateResponse:
        message = self.get_object(request, str(pk))
        if message is None or not self.has_view_permission(request, message):
            raise Http404
        preview_url = reverse("admin:engagement_bannermessage_preview_json", args=[message.pk])
        context = {
            **self.admin_site.each_context(request),
            "title": _("Preview: %(name)s") % {"name": message.name},
            "message": message,
            "preview_url": f"{preview_url}?variant={request.GET.get('variant', '')}",
        }
        return TemplateResponse(request, "admin/engagement/banner_preview.html", context)
