"""Factories for newsletters and sign-ups (deterministic: sequences, no random values)."""

import factory
from django.utils import timezone

from newsletters.models import Newsletter, NewsletterSignup


class NewsletterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Newsletter
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"newsletter-{n}")
    name = factory.Sequence(lambda n: f"Newsletter {n}")
    description = "The day's most important news."
    frequency = "Every weekday"
    is_default = True


class SignupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NewsletterSignup

    newsletter = factory.SubFactory(NewsletterFactory)
    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    consent_text = "I agree to receive these newsletters."
    consent_at = factory.LazyFunction(timezone.now)
    source = "page"
