"""The support banner, its messages, variants and experiments, and campaigns with goals."""

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"
