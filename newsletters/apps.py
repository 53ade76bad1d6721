"""Newsletter sign-ups: double opt-in, consent, one-click unsubscribe, export for the mailing tool."""

from django.apps import AppConfig


class NewslettersConfig(AppConfig):
    name = "newsletters"
