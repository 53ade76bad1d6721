"""The demo's banner messages and campaign (`manage.py load_banner_demo`, run by `make run`)."""

import io
from datetime import timedelta

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from engagement.models import BannerMessage, BannerVariant, Campaign
from reporting.periods import today

CAMPAIGN_SLUG = "war-crimes-unit"


def _campaign_image() -> ContentFile:
    """A plain dark picture with a horizon, so the demo's campaign page has an image to show."""
    image = Image.new("RGB", (1200, 560), "#1d2b3a")
    draw = ImageDraw.Draw(image)
    for y in range(560):
        shade = 40 + y // 8
        draw.line([(0, y), (1200, y)], fill=(shade // 2, shade // 2 + 10, shade + 20))
    draw.rectangle([(0, 400), (1200, 560)], fill="#2b2118")
    draw.polygon([(0, 400), (300, 330), (520, 380), (800, 300), (1200, 390), (1200, 400)], fill="#3a2c20")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    return ContentFile(buffer.getvalue(), name="war-crimes-unit.jpg")


def load_demo_campaign() -> Campaign:
    campaign, created = Campaign.objects.get_or_create(
        slug=CAMPAIGN_SLUG,
        defaults={
            "name": "War Crimes Investigations Unit",
            "headline": "Fund our War Crimes Investigations Unit",
            "story": (
                "Our investigators document attacks on civilians, identify the units responsible and "
                "hand their evidence to prosecutors.\n\n"
                "This work takes months per case. Your gift, earmarked for the unit, keeps it going."
            ),
            "image_alt": "A dark horizon over a ruined field at dusk.",
            "goal_kind": Campaign.Goal.MONEY,
            "goal_amount_minor": 5_000_000,
            "goal_currency": "USD",
            "starts_on": today() - timedelta(days=20),
            "ends_on": today() + timedelta(days=40),
        },
    )
    if created:
        campaign.image.save("war-crimes-unit.jpg", _campaign_image())
    return campaign


VARIANTS = {
    "general": [
        (
            "a",
            "Before you skip this banner, we want to tell you something…",
            "{reader_share_last_year} of our revenue last year came from reader contributions. "
            "No owner and no advertiser decides what we report: you do.",
        ),
        (
            "b",
            "We are not behind a paywall. Here is why.",
            "{members} readers are members and keep our journalism free for everyone. "
            "Join them, from the price of a coffee a month.",
        ),
    ],
    "general-uk": [
        (
            "a",
            "Перш ніж закрити цей банер, прочитайте, будь ласка…",
            "{reader_share_last_year} наших доходів торік дали читачі. Жоден власник чи рекламодавець "
            "не вирішує, про що ми пишемо: вирішуєте ви.",
        ),
    ],
    "war-crimes-unit": [
        (
            "a",
            "Fund our War Crimes Investigations Unit",
            "Our investigators document attacks on civilians and hand the evidence to prosecutors. "
            "Every gift made through this banner goes to the unit.",
        ),
    ],
}


def load_demo_banners() -> int:
    """Three messages: English (an A/B test), Ukrainian, and the campaign's for the war section."""
    campaign = load_demo_campaign()
    messages = {
        "general": {"name": "General appeal", "language": "en", "min_article_views": 2},
        "general-uk": {
            "name": "Загальне звернення",
            "language": "uk",
            "min_article_views": 2,
        },
        "war-crimes-unit": {
            "name": "War Crimes Investigations Unit",
            "sections": "war",
            "priority": 10,
            "campaign": campaign,
            "show_ticker": True,
            "min_article_views": 1,
        },
    }
    created = 0
    for slug, fields in messages.items():
        message, made = BannerMessage.objects.get_or_create(slug=slug, defaults=fields)
        created += made
        if made:
            for key, headline, body in VARIANTS[slug]:
                labels = (
                    {"primary_label": "Стати учасником", "secondary_label": "Підтримати один раз"}
                    if message.language == "uk"
                    else {}
                )
                BannerVariant.objects.create(message=message, key=key, headline=headline, body=body, **labels)
    return created
