"""The support banner, its messages, variants and experiments, and campaigns with goals."""

from django.apps import AppConfig


class EngagementConfig(AppConfig):
    name = "engagement"

    def ready(self) -> None:
        # Staff saving a message, variant, campaign or figure: this process rebuilds its banner snapshot.
        from django.db.models.signals import post_delete, post_save  # noqa: PLC0415

        from engagement.decisions import snapshot_forget  # noqa: PLC0415

        def forget(**kwargs) -> None:
            snapshot_forget()

        self.forget = forget  # signals keep weak references
        for name in ("Campaign", "BannerMessage", "BannerVariant", "LiveFigure"):
            model = self.get_model(name)
            post_save.connect(forget, sender=model, dispatch_uid=f"engagement-forget-{name}")
            post_delete.connect(forget, sender=model, dispatch_uid=f"engagement-forget-{name}")
