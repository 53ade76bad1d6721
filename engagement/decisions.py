"""Which banner a reader sees: the messages, variants, live figures and tickers held in memory, and the
pure function that picks one from the request's inputs.

The snapshot is read from the database at most once per ENGAGEMENT_SNAPSHOT_SECONDS per process
(and again after staff save a message, variant or campaign in this process), so a decision costs no
query once warm. Assignment to a variant is stable per browser: the browser's bucket (0-999, random,
kept in its localStorage) is rotated by an offset per message and falls in one variant's share of the
1,000 buckets, so shares follow the weights to 0.1% and a browser keeps its variant while they hold.
"""

import hashlib
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from engagement.campaigns import CampaignProgress, campaign_is_open, campaign_progress
from engagement.live_figures import fresh_figures, render_text
from engagement.models import BannerMessage, BannerVariant
from payments.models import Frequency

BUCKETS = 1000


@dataclass(frozen=True)
class VariantRule:
    key: str
    code: str
    share: int  # of BUCKETS
    headline: str
    body: str
    primary_label: str
    secondary_label: str
    show_card_marks: bool
    colours: dict[str, str]


@dataclass(frozen=True)
class MessageRule:
    slug: str
    site: str
    language: str
    countries: frozenset[str]
    sections: frozenset[str]
    tags: frozenset[str]
    starts_at: datetime | None
    ends_at: datetime | None
    min_views: int
    dismissals_before_pause: int
    pause_days: int
    campaign: str
    ticker: CampaignProgress | None
    variants: tuple[VariantRule, ...]

    def matches(self, *, site: str, language: str, country: str, section: str, tags: frozenset[str]) -> bool:
        return (
            (not self.site or self.site == site)
            and (not self.language or self.language == language)
            and (not self.countries or country in self.countries)
            and (not self.sections or section in self.sections)
            and (not self.tags or bool(self.tags & tags))
        )

    def live_at(self, moment: datetime) -> bool:
        return (self.starts_at is None or self.starts_at <= moment) and (
            self.ends_at is None or moment < self.ends_at
        )

    def variant_for(self, bucket: int) -> VariantRule:
        """The variant whose share of the buckets holds this browser's bucket, rotated per message."""
        offset = int.from_bytes(hashlib.sha256(self.slug.encode()).digest()[:4], "big") % BUCKETS
        position = (bucket + offset) % BUCKETS
        for variant in self.variants:
            if position < variant.share:
                return variant
            position -= variant.share
        return self.variants[-1]


@dataclass(frozen=True)
class Snapshot:
    messages: tuple[MessageRule, ...]
    figures: dict[str, int]
    built_at: float


def _csv_set(text: str, *, upper: bool = False) -> frozenset[str]:
    values = (part.strip() for part in text.split(","))
    return frozenset(value.upper() if upper else value.lower() for value in values if value)


def bucket_shares(weights: list[int]) -> list[int]:
    """Weights as whole shares of the 1,000 buckets (largest remainder), zero weights get none."""
    total = sum(weights)
    if total <= 0:
        weights, total = [1] * len(weights), len(weights)
    exact = [weight * BUCKETS / total for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(exact)), key=lambda i: exact[i] - shares[i], reverse=True)
    for index in by_remainder[: BUCKETS - sum(shares)]:
        shares[index] += 1
    return shares


def _variant_weight(variant: BannerVariant, mode: str) -> int:
    if mode == BannerMessage.TestMode.BANDIT and variant.bandit_weight_permille is not None:
        return variant.bandit_weight_permille
    return variant.weight


def snapshot_build() -> Snapshot:
    """Everything a decision needs, from a handful of queries."""
    now = timezone.now()
    messages = (
        BannerMessage.objects.filter(is_active=True)
        .exclude(ends_at__lte=now)
        .select_related("campaign")
        .prefetch_related(Prefetch("variants", queryset=BannerVariant.objects.order_by("pk")))
    )
    rules = []
    for message in messages:
        variants = list(message.variants.all())
        if not variants:
            continue
        campaign = message.campaign
        if campaign is not None and not campaign_is_open(campaign):
            continue
        shares = bucket_shares([_variant_weight(v, message.test_mode) for v in variants])
        ticker = campaign_progress(campaign) if campaign is not None and message.show_ticker else None
        rules.append(
            MessageRule(
                slug=message.slug,
                site=message.site,
                language=message.language,
                countries=_csv_set(message.countries, upper=True),
                sections=_csv_set(message.sections),
                tags=_csv_set(message.tags),
                starts_at=message.starts_at,
                ends_at=message.ends_at,
                min_views=message.min_article_views,
                dismissals_before_pause=message.dismissals_before_pause,
                pause_days=message.pause_days,
                campaign=campaign.slug if campaign else "",
                ticker=ticker,
                variants=tuple(
                    VariantRule(
                        key=variant.key,
                        code=f"{message.slug}:{variant.key}",
                        share=share,
                        headline=variant.headline,
                        body=variant.body,
                        primary_label=variant.primary_label,
                        secondary_label=variant.secondary_label,
                        show_card_marks=variant.show_card_marks,
                        colours={
                            "background": variant.background_colour,
                            "text": variant.text_colour,
                            "button": variant.button_colour,
                            "buttonText": variant.button_text_colour,
                        },
                    )
                    for variant, share in zip(variants, shares, strict=True)
                    if share > 0
                ),
            )
        )
    return Snapshot(messages=tuple(rules), figures=fresh_figures(now=now), built_at=time.monotonic())


_lock = threading.Lock()
_current: Snapshot | None = None


def current_snapshot() -> Snapshot:
    """This process's snapshot, rebuilt when older than ENGAGEMENT_SNAPSHOT_SECONDS."""
    global _current
    snapshot = _current
    if snapshot is not None and time.monotonic() - snapshot.built_at < settings.ENGAGEMENT_SNAPSHOT_SECONDS:
        return snapshot
    with _lock:
        snapshot = _current
        if snapshot is None or time.monotonic() - snapshot.built_at >= settings.ENGAGEMENT_SNAPSHOT_SECONDS:
            snapshot = _current = snapshot_build()
    return snapshot


def snapshot_forget() -> None:
    """Staff changed something: this process rebuilds on the next decision (others within the TTL)."""
    global _current
    _current = None


def bucket_of(browser_id: str) -> int:
    """A bucket for a client that sends its random id rather than the bucket banner.js derives."""
    return int.from_bytes(hashlib.sha256(browser_id.encode()).digest()[:4], "big") % BUCKETS


@dataclass(frozen=True)
class DecisionInput:
    site: str
    section: str
    tags: frozenset[str]
    views: int
    language: str
    country: str
    bucket: int
    ref: str = ""


def _links(*, message: MessageRule, variant: VariantRule, ref: str) -> dict[str, str]:
    base = (
        reverse("engagement:campaign", args=[message.campaign])
        if message.campaign
        else reverse("checkout:support")
    )
    attribution = {"source": "banner", "campaign": message.campaign, "variant": variant.code, "ref": ref}
    query = {name: value for name, value in attribution.items() if value}
    return {
        "primary": f"{base}?{urlencode({'frequency': Frequency.MONTHLY, **query})}",
        "secondary": f"{base}?{urlencode({'frequency': Frequency.ONE_OFF, **query})}",
    }


def banner_decide(*, snapshot: Snapshot, request: DecisionInput, locale: str, now: datetime) -> dict | None:
    """The first live message (by priority) whose targeting and view count match and whose text has
    every figure it quotes, in the browser's variant; None when no banner should show."""
    for message in snapshot.messages:
        if request.views < message.min_views or not message.live_at(now):
            continue
        if not message.matches(
            site=request.site,
            language=request.language,
            country=request.country,
            section=request.section,
            tags=request.tags,
        ):
            continue
        variant = message.variant_for(request.bucket)
        headline = render_text(variant.headline, figures=snapshot.figures, locale=locale)
        body = render_text(variant.body, figures=snapshot.figures, locale=locale)
        if headline is None or body is None:
            continue
        ticker = message.ticker
        return {
            "message": message.slug,
            "variant": variant.key,
            "code": variant.code,
            "campaign": message.campaign,
            "headline": headline,
            "body": body,
            "buttons": {"primary": variant.primary_label, "secondary": variant.secondary_label},
            "links": _links(message=message, variant=variant, ref=request.ref),
            "cardMarks": variant.show_card_marks,
            "colours": variant.colours,
            "ticker": (
                {
                    "label": ticker.label(locale=locale),
                    "value": ticker.value,
                    "goal": ticker.goal,
                    "percent": ticker.percent,
                }
                if ticker
                else None
            ),
            "labels": {"region": _("Support us"), "dismiss": _("Dismiss"), "cards": _("Cards we accept")},
            "frequencyCap": {"dismissals": message.dismissals_before_pause, "pauseDays": message.pause_days},
        }
    return None
