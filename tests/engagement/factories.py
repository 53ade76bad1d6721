"""Factories for banners and campaigns (deterministic: sequences, no random values)."""

import datetime

import factory

from engagement.models import BannerMessage, BannerVariant, Campaign
from reporting.periods import today


class CampaignFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Campaign

    slug = factory.Sequence(lambda n: f"campaign-{n}")
    name = factory.Sequence(lambda n: f"Campaign {n}")
    headline = "Fund our War Crimes Investigations Unit"
    story = "Our reporters document what happens.\n\nYour gift keeps them there."
    starts_on = factory.LazyFunction(lambda: today() - datetime.timedelta(days=10))


class BannerMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BannerMessage

    name = factory.Sequence(lambda n: f"Message {n}")
    slug = factory.Sequence(lambda n: f"message-{n}")
    min_article_views = 0


class BannerVariantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BannerVariant

    message = factory.SubFactory(BannerMessageFactory)
    key = factory.Sequence(lambda n: f"v{n}")
    headline = "Before you skip this banner, we want to tell you something…"
    body = "Readers like you keep our journalism free for everyone."
    primary_label = "Become a member"
    secondary_label = "Support us just once"


def message_with_variants(*, weights: dict[str, int] | None = None, **fields) -> BannerMessage:
    """A message with one variant per key, weighted as given (default: a single variant "a")."""
    message = BannerMessageFactory(**fields)
    for key, weight in (weights or {"a": 1}).items():
        BannerVariantFactory(message=message, key=key, weight=weight)
    return message
